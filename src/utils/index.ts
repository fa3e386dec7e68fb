/**
 * kindling/utils: helpers around training loops. `import { progress } from 'kindling/utils'`.
 */
export { progress, Progress, formatInterval, type ProgressOptions, type ProgressTimes } from './progress';
