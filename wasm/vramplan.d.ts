// TypeScript declarations for vramplan.js, the ES-module wrapper around the WebAssembly core.
// Hand-written from API.md at the level of detail a caller needs: the documented request fields and
// the result fields API.md promises. Results carry more fields than listed (the index signatures);
// byte counts are plain numbers (exact up to 2^53). tests/js/dts.test.js checks that this file
// declares exactly the functions vramplan.js exports.

/** The error object of API.md: `{code, field, message}`. */
export interface ErrorObject {
  code: 'invalid_json' | 'invalid_field' | 'unknown_model' | 'unknown_gpu' | 'unknown_format' | 'unsupported' | 'internal' | (string & {});
  /** The request field at fault, e.g. `workload.context_tokens`; '' when none. */
  field: string;
  /** Plain English, naming the field and the offending value. */
  message: string;
}

/** Every failure of the wrapper's functions: bad input (the core's error object) or a trap. */
export class VramplanError extends Error {
  constructor(error: Partial<ErrorObject> | string);
  readonly name: 'VramplanError';
  readonly error: ErrorObject;
  readonly code: ErrorObject['code'];
  readonly field: string;
}

/** A warning with a stable code and the values it mentions as fields; `message` is the English text. */
export interface Warning {
  code: string;
  message: string;
  [k: string]: unknown;
}
/**
 * A coded text (verdict, label, explanation, reason, note): its code (core/text/*.json), its English
 * `message` and the values it mentions; a value that is a text nests as `{code, ...values}` without a
 * message, a list of texts is an array.
 */
export interface Text {
  code: string;
  message: string;
  [k: string]: unknown;
}
/** Warnings as API.md has them; a core from before API.md's 2026-12 revision sends plain English strings. */
export type Warnings = Array<Warning | string>;

// ---------- requests ----------

/**
 * A catalog id (HF repo id, case-insensitive) or alias, or a HuggingFace config.json object; `hf_quant_config` is
 * the repository's ModelOpt hf_quant_config.json, read when config.json has no quantization_config (as vLLM and
 * TensorRT-LLM read it).
 */
export type ModelRef =
  | string
  | { config: Record<string, unknown>; hf_quant_config?: Record<string, unknown>; name?: string };

/** A GPU id or alias from the catalog, or a card the catalog lacks. */
export type GpuRef =
  | string
  | {
      name?: string;
      memory_bytes: number;
      bandwidth_bytes_per_s?: number;
      bf16_flops?: number;
      fp8_flops?: number;
      interconnect_bytes_per_s?: number;
    };

export interface EstimateRequest {
  model: ModelRef;
  /** Weight format id (`bf16`, `fp8`, `awq-int4`, `gguf-Q4_K_M` …); default: the model's own dtype. */
  weights?: string;
  /** `auto` | `fp16` | `bf16` | `fp8` | `int8` | `q8_0` | `q4_0` … */
  kv_cache_dtype?: string;
  /** `generic` | `vllm` | `sglang` | `llama.cpp` | `transformers` | … */
  engine?: string;
  /** The engine's own knob names, e.g. gpu_memory_utilization, max_model_len, n_ctx. */
  engine_options?: Record<string, number | string | boolean>;
  workload?: { context_tokens?: number; concurrency?: number };
  hardware?: { gpu?: GpuRef; count?: number; tensor_parallel?: number; pipeline_parallel?: number };
}

export type SweepAxis = 'context_tokens' | 'concurrency';

export interface PlanRequest {
  model: ModelRef;
  /** `qps` (requests/s, Little's law gives the concurrency) or `concurrency` (requests in flight). */
  workload: { qps?: number; concurrency?: number; prompt_tokens?: number; output_tokens?: number };
  slo?: { ttft_ms?: number; tpot_ms?: number; min_output_tokens_per_s?: number };
  /** Omitted: the whole catalog. */
  candidates?: {
    gpus?: string[];
    vendors?: string[];
    min_memory_gb?: number;
    max_gpus?: number;
    max_cost_per_hour?: number;
    [k: string]: unknown;
  };
  /** Allowed weight formats; omitted: the model's own. */
  weights?: string[];
  kv_cache_dtypes?: string[];
  engine?: string;
  [k: string]: unknown;
}

/** API.md "Train request"; the core has no training entry point yet (train() throws `unsupported`). */
export interface TrainRequest {
  model: ModelRef;
  method?: 'full' | 'lora' | 'qlora';
  lora?: { rank?: number; targets?: string[] };
  precision?: 'bf16-mixed' | 'fp16-mixed' | 'bf16' | 'fp32' | 'fp8-mixed';
  optimizer?: 'adamw' | 'adamw-8bit' | 'paged-adamw-8bit' | 'adafactor' | 'sgd' | 'sgd-momentum' | 'lion';
  parallel?: {
    data_parallel?: number;
    sharding?: 'none' | 'zero1' | 'zero2' | 'zero3' | 'fsdp-full' | 'fsdp-grad-op' | 'fsdp-hybrid';
    tensor_parallel?: number;
    pipeline_parallel?: number;
    context_parallel?: number;
    offload_optimizer?: 'none' | 'cpu' | 'nvme';
    offload_params?: 'none' | 'cpu' | 'nvme';
  };
  batch?: { micro_batch_size?: number; sequence_length?: number; gradient_accumulation?: number };
  activation_checkpointing?: 'none' | 'selective' | 'full';
  attention?: 'flash' | 'sdpa' | 'eager';
  hardware?: { gpu?: GpuRef; count?: number };
}

// ---------- results ----------

/** One GPU's share, in bytes. */
export interface PerGpu {
  gpu: string;
  weights: number;
  kv_cache: number;
  activations: number;
  overhead: number;
  total: number;
  capacity: number;
  [k: string]: unknown;
}

/** A figure the page shows, with its formula (`explain`) for the numbers substituted. */
export interface BreakdownLine {
  id: string;
  label: Text;
  bytes: number;
  explain: Text;
}

export interface Assumption {
  name: string;
  value: number | string | boolean;
  why: Text;
}

export interface EstimateResult {
  params: { total: number; active: number; [k: string]: unknown };
  /** The whole model, all GPUs together. */
  weights: { bytes: number; format: string; [k: string]: unknown };
  kv_cache: {
    /** What one more token of one sequence adds (all layers, no TP replication). */
    bytes_per_token: number;
    /** The workload's KV, all GPUs together. */
    bytes: number;
    dtype?: string;
    [k: string]: unknown;
  };
  per_gpu: PerGpu[];
  fits: boolean;
  /** What the engine itself would print (vLLM: num_gpu_blocks, kv_cache_tokens, max_concurrency …). */
  engine_report: Record<string, unknown>;
  warnings: Warnings;
  verdict?: Text;
  breakdown?: BreakdownLine[];
  assumptions?: Assumption[];
  model?: { id: string; name: string; [k: string]: unknown };
  /** The request as the core resolved it (catalog ids for aliases). */
  request?: { gpu: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface SweepPoint {
  value: number;
  per_gpu_total: number;
  weights: number;
  kv_cache: number;
  activations: number;
  overhead: number;
  capacity: number;
  fits: boolean;
}
export interface SweepResult {
  axis: SweepAxis;
  points: SweepPoint[];
}

export interface FitResult {
  /** The longest context that fits (for the request's concurrency). */
  max_context_tokens: number;
  /** The most sequences that fit (at the request's context). */
  max_concurrency: number;
  /** llama.cpp / ollama: the most layers n_gpu_layers can put on the GPUs, and the RAM for the rest. */
  max_gpu_layers?: number;
  max_gpu_layers_host_bytes?: number;
  /** The fewest cards of each catalog GPU that fit. */
  min_gpus?: Array<{ gpu: string; name: string; count: number; per_gpu_total: number; capacity: number; [k: string]: unknown }>;
  suggestions?: Array<{ change: string; field?: string; value?: string; text: Text | string; fits: boolean; per_gpu_total: number; capacity: number }>;
  warnings: Warnings;
  [k: string]: unknown;
}

export interface Plan {
  gpu: string;
  gpu_name?: string;
  gpus_per_replica: number;
  tensor_parallel: number;
  pipeline_parallel: number;
  replicas: number;
  weights: string;
  kv_cache_dtype: string;
  per_gpu_total: number;
  capacity: number;
  fits: boolean;
  ttft_ms: number;
  tpot_ms: number;
  meets_slo: boolean;
  cost_per_hour: number | null;
  /** '' where the engine has no launcher these settings map to; `launch_note` says why. */
  launch_command: string;
  launch_note?: Text;
  why?: Text;
  [k: string]: unknown;
}

export interface RejectedFamily {
  gpu: string;
  gpus_per_replica: number;
  weights: string;
  /** Plain English (the contract); `reason_text` is the same as a coded text. */
  reason: string;
  reason_text?: Text;
}

export interface PlanResult {
  /** From Little's law when qps is given. */
  concurrency: number;
  /** Every configuration that fits in memory, best first (those meeting the SLOs first). */
  plans: Plan[];
  rejected: RejectedFamily[];
  /** Indices into `plans` of the cost / latency Pareto front. */
  pareto?: number[];
  assumptions?: Assumption[];
  warnings?: Warnings;
  [k: string]: unknown;
}

export interface TrainResult {
  params: { total: number; trainable: number };
  per_gpu: Array<{ weights: number; gradients: number; optimizer_states: number; activations: number; overhead: number; total: number; capacity: number }>;
  host: { bytes: number };
  fits: boolean;
  warnings: Warnings;
  [k: string]: unknown;
}

export interface CatalogModel {
  id: string;
  name: string;
  family: string;
  aliases: string[];
  [k: string]: unknown;
}
export interface CatalogGpu {
  id: string;
  name: string;
  vendor: string;
  aliases: string[];
  capacity_bytes: number;
  [k: string]: unknown;
}
/** One option of an engine (API.md "Engines"): `default` null = the engine works it out. */
export interface EngineOption {
  name: string;
  type: 'integer' | 'number' | 'boolean' | 'on_off' | 'on_off_auto' | 'choice' | 'layers' | 'number_list';
  default: number | string | boolean | null;
  min?: number;
  max?: number;
  choices?: string[];
  unit?: string;
  flag?: string;
  alias?: string;
  doc: string;
  doc_code: string;
}
export interface CatalogEngine {
  id: string;
  name: string;
  aliases: string[];
  doc: string;
  doc_code: string;
  kv_cache_dtypes: string[];
  weight_formats: string[];
  /** Whether plans for it carry a launch command. */
  launch_command: boolean;
  options: EngineOption[];
  [k: string]: unknown;
}
/** `catalog()` has every list; `catalog('gpus')` only `gpus`, and so on (`formats` brings `kv_cache_dtypes`). */
export interface CatalogResult {
  models?: CatalogModel[];
  gpus?: CatalogGpu[];
  formats?: string[];
  kv_cache_dtypes?: string[];
  engines?: CatalogEngine[];
}
export type CatalogWhich = '' | 'models' | 'gpus' | 'formats' | 'engines';

export interface Capabilities {
  fit: boolean;
  perf: boolean;
  plan: boolean;
  train: boolean;
}

// ---------- perf ----------

export interface PerfRequest {
  model: EstimateRequest['model'];
  weights?: string;
  kv_cache_dtype?: string;
  engine?: string;
  engine_options?: Record<string, unknown>;
  hardware?: EstimateRequest['hardware'];
  /** prompt and output tokens per request, and exactly one of concurrency, qps, static_batch, max_throughput. */
  workload: {
    prompt_tokens?: number;
    output_tokens?: number;
    concurrency?: number;
    qps?: number;
    static_batch?: number;
    max_throughput?: boolean;
    /** requests in the run (max_throughput, and an overloaded qps run); default 1000 */
    requests?: number;
  };
  /** overrides of the engine family's named efficiencies */
  efficiency?: Partial<Record<'prefill_mfu' | 'decode_mfu' | 'mbu' | 'kv_mbu' | 'comm_efficiency' |
    'step_overhead_ms' | 'request_overhead_ms' | 'allreduce_latency_us', number>>;
}
export interface Spread {
  mean: number;
  p50: number;
  p99: number;
}
export interface PerfResult {
  ttft_ms: Spread;
  tpot_ms: Spread;
  e2e_ms: Spread;
  output_tokens_per_s: number;
  requests_per_s: number;
  total_tokens_per_s: number;
  running_sequences: number;
  queued_requests: number;
  kv_capacity_sequences: number;
  step_ms: number;
  prefill_tokens_per_step: number;
  bound: 'bandwidth' | 'compute' | 'kv_capacity' | 'max_seqs' | 'queue';
  saturated: boolean;
  deployment: Record<string, unknown>;
  workload: Record<string, unknown>;
  assumptions: { name: string; value: unknown; why: Text }[];
  warnings: Warnings;
}

// ---------- the functions ----------

/** Options passed through to Emscripten's module factory, e.g. `{wasmBinary}` in node or offline. */
export interface InitOptions {
  wasmBinary?: ArrayBuffer | Uint8Array;
  locateFile?: (path: string, prefix: string) => string;
  instantiateWasm?: (imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance, module?: WebAssembly.Module) => void) => unknown;
  print?: (text: string) => void;
  printErr?: (text: string) => void;
  onAbort?: (what: unknown) => void;
}

/** The module's API (also the default export); `init()` resolves to it. */
export interface Vramplan {
  init: typeof init;
  ready: typeof ready;
  estimate: typeof estimate;
  sweep: typeof sweep;
  catalog: typeof catalog;
  fit: typeof fit;
  perf: typeof perf;
  plan: typeof plan;
  train: typeof train;
  capabilities: typeof capabilities;
  VramplanError: typeof VramplanError;
}

/** Builds the instance (once; later calls resolve to the same API). */
export function init(options?: InitOptions): Promise<Vramplan>;
/** Whether init() has finished and the instance is usable. */
export function ready(): boolean;
/** Memory for one deployment. Also accepts the request as JSON text. */
export function estimate(request: EstimateRequest | string): EstimateResult;
/** The request evaluated at each value of `axis`, in one call. */
export function sweep(request: EstimateRequest, axis: SweepAxis, values: number[]): SweepResult;
/** The catalogs: all of them, or one list. */
export function catalog(which?: CatalogWhich): CatalogResult;
/** Inverse questions: longest context, most sequences, fewest GPUs of each kind that fit. */
export function fit(request: EstimateRequest | string): FitResult;
/** One deployment under a load: TTFT, TPOT and throughput (closed loop, Poisson rate, static batch or offline). */
export function perf(request: PerfRequest | string): PerfResult;
/** Ranked deployment plans for a workload. */
export function plan(request: PlanRequest | string): PlanResult;
/** Training / fine-tuning memory; throws VramplanError `unsupported` while the core has no train. */
export function train(request: TrainRequest | string): TrainResult;
/** Which optional entry points this build has. */
export function capabilities(): Capabilities;

declare const vramplan: Vramplan;
export default vramplan;
