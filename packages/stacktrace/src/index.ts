export { createKernelText } from './create-kernel-text';
export { formatFrame, formatTrace } from './format-frames';
export { kallsymsV618Sample } from './kallsyms-v6-18-sample';
export type { SymbolSpec, TextLayout } from './kernel-text';
export { KernelText } from './kernel-text';
export { ShadowStack } from './shadow-stack';
export { symbolsV4 } from './symbols-v4';
export { symbolsV6 } from './symbols-v6';
