// The Planner view's markup, inserted when its chunk arrives (index.html keeps only its verdict card, which
// says so when the chunk cannot load): the calculator's first visit does not download it.

/** Appended to the inputs form. */
export const INPUTS_HTML = `
    <div class="plan-only" id="plan-inputs">
      <fieldset class="field">
        <legend data-i18n="p_workload"></legend>
        <div class="seg" role="group" aria-label="Workload" data-i18n-aria-label="p_workload">
          <button type="button" id="p-load-qps" aria-pressed="true" data-i18n="p_load_qps"></button>
          <button type="button" id="p-load-users" aria-pressed="false" data-i18n="p_load_users"></button>
        </div>
        <div class="grid3 mt-s">
          <div class="field"><label for="p-load" id="p-load-label">Requests per second</label><input id="p-load" type="text" inputmode="decimal" aria-describedby="err-p-load"><p class="err" id="err-p-load" role="alert"></p></div>
          <div class="field"><label for="p-prompt" data-i18n="p_prompt"></label><input id="p-prompt" type="text" inputmode="numeric" aria-describedby="err-p-prompt"><p class="err" id="err-p-prompt" role="alert"></p></div>
          <div class="field"><label for="p-output" data-i18n="p_output"></label><input id="p-output" type="text" inputmode="numeric" aria-describedby="err-p-output"><p class="err" id="err-p-output" role="alert"></p></div>
        </div>
      </fieldset>
      <fieldset class="field">
        <legend data-i18n="p_slo"></legend>
        <div class="grid3">
          <div class="field"><label for="p-ttft" data-i18n="p_ttft"></label><input id="p-ttft" type="text" inputmode="decimal" aria-describedby="p-slo-hint err-p-ttft"><p class="err" id="err-p-ttft" role="alert"></p></div>
          <div class="field"><label for="p-tpot" data-i18n="p_tpot"></label><input id="p-tpot" type="text" inputmode="decimal" aria-describedby="p-slo-hint err-p-tpot"><p class="err" id="err-p-tpot" role="alert"></p></div>
          <div class="field"><label for="p-min-tps" data-i18n="p_min_tps"></label><input id="p-min-tps" type="text" inputmode="decimal" aria-describedby="p-slo-hint err-p-min-tps"><p class="err" id="err-p-min-tps" role="alert"></p></div>
        </div>
        <p class="hint" id="p-slo-hint" data-i18n="p_slo_hint"></p>
      </fieldset>
      <fieldset class="field">
        <legend data-i18n="p_hardware"></legend>
        <p class="sub" id="p-vendors-label" data-i18n="p_vendors"></p>
        <div class="checks" id="p-vendors" role="group" aria-labelledby="p-vendors-label"></div>
        <div class="grid3 mt-s">
          <div class="field"><label for="p-min-mem" data-i18n="p_min_mem"></label><input id="p-min-mem" type="text" inputmode="decimal" aria-describedby="err-p-min-mem"><p class="err" id="err-p-min-mem" role="alert"></p></div>
          <div class="field"><label for="p-max-gpus" data-i18n="p_max_gpus"></label><input id="p-max-gpus" type="text" inputmode="numeric" aria-describedby="err-p-max-gpus"><p class="err" id="err-p-max-gpus" role="alert"></p></div>
          <div class="field"><label for="p-max-cost" data-i18n="p_max_cost"></label><input id="p-max-cost" type="text" inputmode="decimal" aria-describedby="err-p-max-cost"><p class="err" id="err-p-max-cost" role="alert"></p></div>
        </div>
        <div class="field"><label for="p-prices" data-i18n="p_prices"></label><input id="p-prices" type="text" spellcheck="false" placeholder="h100:2.2, a100:1.4" aria-describedby="p-prices-hint err-p-prices"><p class="hint" id="p-prices-hint" data-i18n="p_prices_hint"></p><p class="err" id="err-p-prices" role="alert"></p></div>
        <label for="p-gpu" class="sub" data-i18n="p_only"></label>
        <div class="combo">
          <input id="p-gpu" type="text" placeholder="Search GPUs" data-i18n-placeholder="gpu_search" aria-describedby="p-only-hint err-p-gpus">
          <ul id="p-gpu-list" class="listbox"></ul>
        </div>
        <ul class="chosen" id="p-chosen"></ul>
        <p class="hint" id="p-only-hint" data-i18n="p_only_hint"></p>
        <p class="err" id="err-p-gpus" role="alert"></p>
      </fieldset>
      <fieldset class="field">
        <legend data-i18n="p_formats"></legend>
        <div class="checks" id="p-formats" aria-describedby="p-formats-hint"></div>
        <p class="hint" id="p-formats-hint" data-i18n="p_formats_hint"></p>
        <p class="err" id="err-p-formats" role="alert"></p>
      </fieldset>
      <fieldset class="field">
        <legend data-i18n="p_kvs"></legend>
        <div class="checks" id="p-kvs"></div>
        <p class="err" id="err-p-kvs" role="alert"></p>
      </fieldset>
      <div class="field">
        <label for="p-engine" data-i18n="engine"></label>
        <select id="p-engine" aria-describedby="err-p-engine"><option value="vllm">vLLM</option></select>
        <p class="err" id="err-p-engine" role="alert"></p>
      </div>
    </div>
`;

/** Inserted after the Planner's verdict card. */
export const RESULTS_HTML = `
    <div class="card plan-only">
      <h3 data-i18n="plans_title"></h3>
      <p class="hint" data-i18n="plans_hint"></p>
      <div class="table-scroll">
        <table class="plans" id="plans">
          <thead><tr><th scope="col" class="num">#</th><th scope="col" data-i18n="col_gpu"></th><th scope="col" data-i18n="col_gpus"></th><th scope="col" data-i18n="col_format"></th><th scope="col" class="num" id="col-mem"></th><th scope="col" class="num" data-i18n="col_ttft"></th><th scope="col" class="num" data-i18n="col_tpot"></th><th scope="col" class="num" data-i18n="col_tps"></th><th scope="col" class="num" data-i18n="col_cost"></th><th scope="col" class="num" data-i18n="col_cost_m"></th><th scope="col" data-i18n="col_slo"></th></tr></thead>
          <tbody></tbody>
        </table>
      </div>
      <button type="button" class="btn small mt-s" id="plans-more" hidden></button>
    </div>

    <div class="card plan-only" id="plan-sel-card" hidden>
      <h3 data-i18n="sel_title"></h3>
      <p id="plan-sel-head" class="sel-head"></p>
      <div id="plan-bars" class="bars"></div>
      <ul class="legend" id="plan-bar-legend"></ul>
      <dl class="facts mt" id="plan-sel-facts"></dl>
      <h4 data-i18n="launch"></h4>
      <div class="cmd-box">
        <pre class="cmd"><code id="plan-cmd" lang="en"></code></pre>
        <button type="button" class="btn small" id="plan-copy" data-i18n="copy_cmd"></button>
      </div>
    </div>

    <div class="card plan-only">
      <figure class="chart-fig">
        <figcaption><span data-i18n="pareto_title"></span>
          <span class="chart-tools"><button type="button" class="btn small" data-export="pareto:png">PNG</button><button type="button" class="btn small" data-export="pareto:svg">SVG</button></span></figcaption>
        <ul class="legend chart-legend" id="pareto-legend"></ul>
        <div class="chart" id="chart-pareto" role="img"></div>
        <p class="readout" id="readout-pareto" aria-live="polite"></p>
        <p class="hint" id="pareto-hint"></p>
      </figure>
    </div>

    <details class="card plan-only" id="rejected-box">
      <summary><h3 id="rejected-h"></h3></summary>
      <ul class="rejected" id="rejected"></ul>
    </details>

    <div class="card plan-only" id="plan-warnings-card" hidden>
      <h3 data-i18n="warnings"></h3>
      <ul id="plan-warnings" class="warnings"></ul>
    </div>

    <details class="card plan-only">
      <summary><h3 data-i18n="plan_assumptions"></h3></summary>
      <dl class="assumptions" id="plan-assumptions"></dl>
    </details>
`;
