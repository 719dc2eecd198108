/**
 * onProgress callbacks as the official SDK makes them (util.throttleOnProgress): at most one call
 * per ProgressInterval, plus an immediate one at the start and at the end, each with
 * `{ loaded, total, speed (bytes/s since the last call), percent (0-1, two decimals, floored) }`.
 */

export interface ProgressInfo {
  loaded: number;
  total: number;
  speed: number;
  percent: number;
}

export type OnProgress = (info: ProgressInfo) => void;

export interface ProgressReporter {
  /** Records progress; reports now when `immediately`, else within the interval. */
  update(progress: { loaded: number; total: number } | undefined, immediately?: boolean): void;
}

export function progressReporter(onProgress: OnProgress, total: number, intervalMs: number): ProgressReporter {
  let loaded = 0;
  let reportedLoaded = 0;
  let reportedAt = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const report = () => {
    timer = undefined;
    const now = Date.now();
    const seconds = (now - reportedAt) / 1000;
    const speed = Math.max(0, Math.round(((loaded - reportedLoaded) / seconds) * 100) / 100) || 0;
    const percent = loaded === 0 && total === 0 ? 1 : Math.floor((loaded / total) * 100) / 100 || 0;
    reportedAt = now;
    reportedLoaded = loaded;
    try {
      onProgress({ loaded, total, speed, percent });
    } catch {
      // A throwing progress callback must not break the transfer (the official SDK swallows it too).
    }
  };

  return {
    update(progress, immediately = false) {
      if (progress) {
        loaded = progress.loaded;
        total = progress.total;
      }
      if (immediately) {
        if (timer) clearTimeout(timer);
        report();
      } else if (!timer) {
        timer = setTimeout(report, intervalMs);
      }
    },
  };
}
