/**
 * Global grad mode, as `torch.no_grad()` / `torch.enable_grad()`. While disabled, ops build no
 * graph (and allocate no backward closures).
 */
let gradEnabled = true;

/** Whether ops currently record the autograd graph (`torch.is_grad_enabled()`). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Sets grad mode globally (`torch.set_grad_enabled(mode)`). */
export function setGradEnabled(mode: boolean): void {
  gradEnabled = mode;
}

function withGradMode<T>(mode: boolean, fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = mode;
  try {
    const result = fn();
    if (result instanceof Promise) {
      // Grad mode is process-global: an async callback would leak the mode into unrelated code
      // that runs while it awaits, so only synchronous callbacks are allowed.
      throw new TypeError('noGrad/enableGrad: the callback must be synchronous (it returned a Promise)');
    }
    return result;
  } finally {
    gradEnabled = previous;
  }
}

/**
 * Runs `fn` with gradient recording disabled and returns its result (`with torch.no_grad():`).
 * @example const pred = torch.noGrad(() => model.forward(x));
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with gradient recording enabled, even inside `noGrad` (`with torch.enable_grad():`). */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}
