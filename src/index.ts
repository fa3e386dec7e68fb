/** kindling: PyTorch for Node.js. `import * as torch from 'kindling'`. */
export { native } from './native';
