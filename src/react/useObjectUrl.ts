import { useState } from 'react';
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
