# Writes a C++ source holding the catalog JSON texts as raw string literals.
file(READ ${MODELS} models_text)
file(READ ${GPUS} gpus_text)

# The data files keep notes, uncertainty lists and every source for people; the core reads none of
# those, so the embedded copy (native and wasm alike, hence identical results) leaves them out. This
# keeps the page's wasm small.
# config.json keys that change nothing in memory (rotary and norm constants, dropout, routing
# heuristics, logit caps): the parser reads none of them.
set(UNUSED_CONFIG_KEYS rope_theta rms_norm_eps hidden_act hidden_activation attention_dropout rope_scaling
    pretraining_tp output_router_logits router_aux_loss_coef routed_scaling_factor scoring_func n_group topk_group
    norm_topk_prob attn_logit_softcapping final_logit_softcapping embd_pdrop resid_pdrop layer_norm_eps
    vision_feature_layer vision_use_head mm_tokens_per_image cache_implementation query_pre_attn_scalar
    initializer_range use_cache rope_type original_max_position_embeddings partial_rotary_factor image_token_id
    video_token_id vision_start_token_id vision_end_token_id ep_size rope_parameters aux_loss_alpha seq_aux version
    norm_eps)
function(strip_keys var array keys config_keys)
  set(text "${${var}}")
  string(JSON n LENGTH "${text}" ${array})
  math(EXPR last "${n} - 1")
  foreach(i RANGE ${last})
    foreach(key ${keys})
      string(JSON unused ERROR_VARIABLE missing GET "${text}" ${array} ${i} ${key})
      if(NOT missing)
        string(JSON text REMOVE "${text}" ${array} ${i} ${key})
      endif()
    endforeach()
    foreach(path "config" "config;text_config")
      string(JSON members ERROR_VARIABLE missing LENGTH "${text}" ${array} ${i} ${path})
      if(missing)
        continue()
      endif()
      foreach(key ${config_keys})
        string(JSON unused ERROR_VARIABLE missing GET "${text}" ${array} ${i} ${path} ${key})
        if(NOT missing)
          string(JSON text REMOVE "${text}" ${array} ${i} ${path} ${key})
        endif()
      endforeach()
    endforeach()
    # Keep the first source only, as its first word (the address); the commentary stays in data/.
    string(JSON type ERROR_VARIABLE missing TYPE "${text}" ${array} ${i} source)
    set(where source)
    if(NOT missing AND type STREQUAL "ARRAY")
      string(JSON count LENGTH "${text}" ${array} ${i} source)
      while(count GREATER 1)
        math(EXPR count "${count} - 1")
        string(JSON text REMOVE "${text}" ${array} ${i} source ${count})
      endwhile()
      set(where source 0)
    endif()
    if(NOT missing)
      string(JSON value ERROR_VARIABLE bad GET "${text}" ${array} ${i} ${where})
      if(NOT bad)
        string(REGEX MATCH "^[^ \"\\]*" first "${value}")
        string(REGEX REPLACE "[,;]$" "" first "${first}")
        string(JSON text SET "${text}" ${array} ${i} ${where} "\"${first}\"")
      endif()
    endif()
  endforeach()
  set(${var} "${text}" PARENT_SCOPE)
endfunction()
strip_keys(models_text models "notes;uncertain;official_params_label;official_params_source;released;vendor"
           "${UNUSED_CONFIG_KEYS}")
# Descriptive fields the core never reads (architecture, form factor, memory type, nominal GB, TDP) stay in data/.
strip_keys(gpus_text gpus
           "uncertain;price_source;memory_bytes_basis;architecture;form_factor;memory_type;nominal_memory_gb;tdp_w" "")

# string(JSON) writes indented text; JSON strings hold no raw newline, so a newline and the indentation
# after it are always layout: drop them (the catalog is embedded in the first-visit wasm).
# Likewise the spaces string(JSON) writes around ':' and inside arrays of strings: inside a JSON string a quote is
# always escaped, so a quote not preceded by a backslash next to them is structural.
foreach(t models_text gpus_text)
  string(REGEX REPLACE "\n *" "" ${t} "${${t}}")
  string(REGEX REPLACE "([^\\])\" : " "\\1\":" ${t} "${${t}}")
  string(REGEX REPLACE "\\[ \"" "[\"" ${t} "${${t}}")
  string(REGEX REPLACE "([^\\])\" \\]" "\\1\"]" ${t} "${${t}}")
  string(REGEX REPLACE "([^\\])\", \"" "\\1\",\"" ${t} "${${t}}")
  string(FIND "${${t}}" ")vramplan_json\"" hit)
  if(NOT hit EQUAL -1)
    message(FATAL_ERROR "catalog text contains the raw-string delimiter")
  endif()
endforeach()
# Raw string literals are limited in length by some compilers; split into 16 KiB pieces.
function(emit_chunks var out_var)
  set(text "${${var}}")
  string(LENGTH "${text}" len)
  set(acc "")
  set(pos 0)
  while(pos LESS len)
    string(SUBSTRING "${text}" ${pos} 16000 piece)
    string(APPEND acc "R\"vramplan_json(${piece})vramplan_json\"\n")
    math(EXPR pos "${pos} + 16000")
  endwhile()
  set(${out_var} "${acc}" PARENT_SCOPE)
endfunction()
emit_chunks(models_text models_chunks)
emit_chunks(gpus_text gpus_chunks)
file(WRITE ${OUT}.tmp "// Generated from data/*.json by cmake/embed_catalog.cmake. Do not edit.\n#include \"vramplan/import/catalog.hpp\"\nnamespace vramplan {\nconst char* embedded_models_json() {\n  return\n${models_chunks};\n}\nconst char* embedded_gpus_json() {\n  return\n${gpus_chunks};\n}\n}  // namespace vramplan\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
