// The addon's functions (src/*.rs). kindling/distributed is the API meant for users; these are
// its building blocks. Ops use PyTorch's ReduceOp numbers: SUM 0, AVG 1, PRODUCT 2, MIN 3, MAX 4.

/** MPI_Init_thread (MPI_THREAD_SERIALIZED), once per process; later calls do nothing. */
export declare function init(): void
/** Whether init succeeded and finalize has not run. */
export declare function isInitialized(): boolean
/** This process's rank in MPI_COMM_WORLD. */
export declare function rank(): number
/** The size of MPI_COMM_WORLD. */
export declare function worldSize(): number
/** MPI_Finalize, once. MPI cannot be initialised again afterwards. */
export declare function finalize(): void
/** MPI_Abort on MPI_COMM_WORLD: ends every rank of the job. */
export declare function abort(code: number): void
/** MPI_Get_library_version. */
export declare function libraryVersion(): string
export declare function barrier(): void

/** In place: every rank's `buf` becomes the reduction of all ranks' `buf`. */
export declare function allReduceF32(buf: Float32Array, op: number): void
export declare function allReduceI32(buf: Int32Array, op: number): void
export declare function allReduceI64(buf: BigInt64Array, op: number): void
/** Rank `src`'s `buf` is copied into every other rank's `buf`. */
export declare function broadcastF32(buf: Float32Array, src: number): void
export declare function broadcastI32(buf: Int32Array, src: number): void
export declare function broadcastI64(buf: BigInt64Array, src: number): void
/** `output` (world size × input.length elements) receives rank r's `input` at block r. */
export declare function allGatherF32(input: Float32Array, output: Float32Array): void
export declare function allGatherI32(input: Int32Array, output: Int32Array): void
export declare function allGatherI64(input: BigInt64Array, output: BigInt64Array): void
/** `input` (world size × output.length elements) is reduced across ranks; rank r gets block r. */
export declare function reduceScatterF32(input: Float32Array, output: Float32Array, op: number): void
export declare function reduceScatterI32(input: Int32Array, output: Int32Array, op: number): void
export declare function reduceScatterI64(input: BigInt64Array, output: BigInt64Array, op: number): void

/**
 * Asynchronous forms, run off the main thread in issue order: first the cross-rank agreement
 * exchange of `plan` (kindling's agreement.ts: each value and its negation, MAX-reduced in place),
 * then, if every rank agreed, the collective. Resolve to whether the ranks agreed.
 */
export declare function allReduceF32Async(buf: Float32Array, op: number, plan: BigInt64Array): Promise<boolean>
export declare function allReduceI32Async(buf: Int32Array, op: number, plan: BigInt64Array): Promise<boolean>
export declare function allReduceI64Async(buf: BigInt64Array, op: number, plan: BigInt64Array): Promise<boolean>
export declare function broadcastF32Async(buf: Float32Array, src: number, plan: BigInt64Array): Promise<boolean>
export declare function broadcastI32Async(buf: Int32Array, src: number, plan: BigInt64Array): Promise<boolean>
export declare function broadcastI64Async(buf: BigInt64Array, src: number, plan: BigInt64Array): Promise<boolean>
export declare function allGatherF32Async(input: Float32Array, output: Float32Array, plan: BigInt64Array): Promise<boolean>
export declare function allGatherI32Async(input: Int32Array, output: Int32Array, plan: BigInt64Array): Promise<boolean>
export declare function allGatherI64Async(input: BigInt64Array, output: BigInt64Array, plan: BigInt64Array): Promise<boolean>
export declare function reduceScatterF32Async(input: Float32Array, output: Float32Array, op: number, plan: BigInt64Array): Promise<boolean>
export declare function reduceScatterI32Async(input: Int32Array, output: Int32Array, op: number, plan: BigInt64Array): Promise<boolean>
export declare function reduceScatterI64Async(input: BigInt64Array, output: BigInt64Array, op: number, plan: BigInt64Array): Promise<boolean>
export declare function barrierAsync(plan: BigInt64Array): Promise<boolean>
