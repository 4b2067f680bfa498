import { MutationObserver, type QueryClient } from '@tanstack/react-query';
import type { UploadError } from '../core/errors';
import type { UploadRun, UploadTask } from '../core/uploader';

/** What the mutations of the library run as, and the one place where a host's defaults are overridden. */
export function uploadMutationOptions(kind: 'thumbnail' | 'attachment') {
  return {
    mutationKey: ['react-thumbnail-uploader', kind],
    // The core waits out an offline spell itself, and says so; react-query must not pause the run unseen.
    networkMode: 'always',
    // The core retries what can be retried; a host's default `retry` or `throwOnError` must not add to it.
    retry: false,
    throwOnError: false,
  } as const;
}

/**
 * The task whose every run is a mutation in the app's QueryClient, under the library's key, with
 * `variables(run)` as its variables (the run itself by default): apps see uploads with
 * `useMutationState` and the devtools. Each run has its own observer, let go when it settles so
 * that the cache collects the mutation in time.
 */
export function asMutation<TResult, TCheckpoint, TPrepared>(
  task: UploadTask<TResult, TCheckpoint, TPrepared>,
  client: QueryClient,
  kind: 'thumbnail' | 'attachment',
  variables: (run: UploadRun<TCheckpoint, TPrepared>) => unknown = (run) => run,
): UploadTask<TResult, TCheckpoint, TPrepared> {
  return {
    ...task,
    send: (run) => {
      const observer = new MutationObserver<TResult, UploadError, unknown>(client, {
        ...uploadMutationOptions(kind),
        mutationFn: () => task.send(run),
      });
      return observer.mutate(variables(run)).finally(() => observer.reset());
    },
  };
}
