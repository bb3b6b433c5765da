export function startWorker(options?: { secret?: string; vars?: Record<string, string | number> }): Promise<{ url: string; dispose: () => Promise<void> }>;
