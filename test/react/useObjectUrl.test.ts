import { renderHook } from '@testing-library/react';
import { useObjectUrl } from '../../src/react/useObjectUrl';
import { liveObjectUrls } from '../support/objectUrls';

describe('useObjectUrl', () => {
  it('gives one URL per blob and revokes it on change and unmount', () => {
    const first = new Blob(['a']);
    const second = new Blob(['b']);
    const { result, rerender, unmount } = renderHook(({ blob }: { blob: Blob | null }) => useObjectUrl(blob), {
      initialProps: { blob: first } as { blob: Blob | null },
    });
    const firstUrl = result.current;
    expect(firstUrl).toMatch(/^blob:/);
    expect(liveObjectUrls).toEqual(new Set([firstUrl]));

    rerender({ blob: second });
    expect(result.current).not.toBe(firstUrl);
    expect(liveObjectUrls).toEqual(new Set([result.current]));

    rerender({ blob: null });
    expect(result.current).toBeUndefined();
    expect(liveObjectUrls.size).toBe(0);

    rerender({ blob: first });
    unmount();
    expect(liveObjectUrls.size).toBe(0);
  });
});
