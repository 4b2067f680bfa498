import { useRef, useState } from 'react';
import { useBrowserLayoutEffect } from './useBrowserLayoutEffect';

/**
 * An object URL for a blob, made before the browser paints (so the preview shows at once) and always
 * revoked when the blob changes or the component goes.
 */
export function useObjectUrl(blob: Blob | null | undefined): string | undefined {
  const [current, setCurrent] = useState<{ blob: Blob; url: string }>();
  useBrowserLayoutEffect(() => {
    if (!blob) return undefined;
    const url = URL.createObjectURL(blob);
    // Deliberate: the URL must exist before paint and be revoked with the blob; a second render is the price.
    setCurrent({ blob, url });
    return () => {
      URL.revokeObjectURL(url);
      setCurrent(undefined);
    };
  }, [blob]);
  // Never hand out the previous blob's (already revoked) URL during the render before the effect.
  return current && current.blob === blob ? current.url : undefined;
}

/**
 * Object URLs for many blobs (a list's previews): each made before paint the first time its blob is
 * seen, and revoked once the blob leaves the list, and all of them when the component goes.
 */
export function useObjectUrls(blobs: ReadonlyArray<Blob | undefined>): ReadonlyMap<Blob, string> {
  const [urls, setUrls] = useState<ReadonlyMap<Blob, string>>(() => new Map());
  // The URLs alive now: a resource to release, not a copy of state (`urls` can lag it by a render).
  const live = useRef(new Map<Blob, string>());
  useBrowserLayoutEffect(() => {
    const next = new Map<Blob, string>();
    for (const blob of blobs) if (blob) next.set(blob, live.current.get(blob) ?? URL.createObjectURL(blob));
    for (const [blob, url] of live.current) if (!next.has(blob)) URL.revokeObjectURL(url);
    const changed = next.size !== live.current.size || [...next.keys()].some((blob) => !live.current.has(blob));
    live.current = next;
    if (changed) setUrls(next);
  });
  useBrowserLayoutEffect(
    () => () => {
      for (const url of live.current.values()) URL.revokeObjectURL(url);
      live.current = new Map();
    },
    [],
  );
  return urls;
}
