// A searchable picker (ARIA 1.2 combobox + listbox): type to filter, arrows to move, Enter to
// choose, Escape to close. Items: {id, label, detail, search}; extra items (e.g. "custom") go last.

let uid = 0;

export function matches(item, query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return words.every((w) => item.search.includes(w));
}

export class Picker {
  constructor(input, list, { onPick, limit = 60, noneText = () => 'No match' }) {
    this.input = input;
    this.list = list;
    this.onPick = onPick;
    this.limit = limit;
    this.noneText = noneText;
    this.items = [];
    this.shown = [];
    this.active = -1;
    this.value = '';
    uid += 1;
    this.prefix = `opt${uid}-`;
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', list.id);
    input.autocomplete = 'off';
    input.spellcheck = false;
    list.setAttribute('role', 'listbox');
    list.hidden = true;
    input.addEventListener('input', () => this.open(input.value));
    input.addEventListener('focus', () => {
      input.select();
      this.open('');
    });
    input.addEventListener('click', () => {
      if (list.hidden) this.open('');
    });
    input.addEventListener('keydown', (e) => this.key(e));
    input.addEventListener('blur', () => setTimeout(() => this.close(true), 120));
    list.addEventListener('mousedown', (e) => e.preventDefault());
    list.addEventListener('click', (e) => {
      const li = e.target.closest('[role=option]');
      if (li) this.pick(li.dataset.id);
    });
  }

  setItems(items) {
    this.items = items.map((it) => ({ ...it, search: (it.search || `${it.id} ${it.label}`).toLowerCase() }));
    this.setValue(this.value);
  }

  setValue(id) {
    this.value = id;
    const it = this.items.find((x) => x.id === id);
    if (document.activeElement !== this.input) this.input.value = it ? it.label : id;
  }

  open(query) {
    const q = query.trim();
    this.shown = (q ? this.items.filter((it) => it.always || matches(it, q)) : this.items).slice(0, this.limit);
    this.list.textContent = '';
    const frag = document.createDocumentFragment();
    this.shown.forEach((it, i) => {
      const li = document.createElement('li');
      li.id = this.prefix + i;
      li.setAttribute('role', 'option');
      li.dataset.id = it.id;
      li.setAttribute('aria-selected', it.id === this.value ? 'true' : 'false');
      const a = document.createElement('span');
      a.className = 'opt-label';
      a.textContent = it.label;
      li.append(a);
      if (it.detail) {
        const b = document.createElement('span');
        b.className = 'opt-detail';
        b.textContent = it.detail;
        li.append(b);
      }
      frag.append(li);
    });
    if (!this.shown.length) {
      const li = document.createElement('li');
      li.className = 'opt-none';
      li.textContent = this.noneText();
      frag.append(li);
    }
    this.list.append(frag);
    this.list.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
    const sel = this.shown.findIndex((it) => it.id === this.value);
    this.move(q ? 0 : Math.max(0, sel), false);
  }

  close(restore) {
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
    this.active = -1;
    if (restore) this.setValue(this.value);
  }

  move(i, scroll = true) {
    const n = this.shown.length;
    if (!n) return;
    this.active = (i + n) % n;
    for (const li of this.list.querySelectorAll('.active')) li.classList.remove('active');
    const li = this.list.children[this.active];
    if (li) {
      li.classList.add('active');
      this.input.setAttribute('aria-activedescendant', li.id);
      if (scroll || true) li.scrollIntoView({ block: 'nearest' });
    }
  }

  key(e) {
    const openList = !this.list.hidden;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (!openList) this.open('');
      else this.move(this.active + 1);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      if (openList) this.move(this.active - 1);
    } else if (e.key === 'Enter') {
      if (openList && this.shown[this.active]) {
        e.preventDefault();
        this.pick(this.shown[this.active].id);
      }
    } else if (e.key === 'Escape') {
      if (openList) {
        e.preventDefault();
        this.close(true);
      }
    } else if (e.key === 'Tab') {
      this.close(true);
    }
  }

  pick(id) {
    this.value = id;
    this.close(false);
    const it = this.items.find((x) => x.id === id);
    this.input.value = it ? it.label : id;
    this.onPick(id);
  }
}
