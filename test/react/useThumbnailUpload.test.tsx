import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { UploaderProvider, useThumbnailUpload, type UploaderProviderProps } from '../../src';
import { pngFile } from '../fixtures';
import { withReferenceServer, type ReferenceServer } from '../support/referenceServer';

let server: ReferenceServer;
let parentUuid: string;

withReferenceServer((started, media) => {
  server = started;
  parentUuid = media;
});

function wrapper(provider: Partial<UploaderProviderProps> = {}, host?: QueryClient) {
  return function Wrapper({ children }: { children: ReactNode }) {
    const uploader = (
      <UploaderProvider baseUrl={server.url} token={server.token} {...provider}>
        {children}
      </UploaderProvider>
    );
    return host ? <QueryClientProvider client={host}>{uploader}</QueryClientProvider> : uploader;
  };
}

describe('useThumbnailUpload', () => {
  it('is a mutation whose variables are { file, parentUuid } and whose data is the server answer', async () => {
    const { result } = renderHook(() => useThumbnailUpload(), { wrapper: wrapper() });
    act(() => result.current.mutate({ file: pngFile('hook.png'), parentUuid }));
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(result.current.data).toMatchObject({
      parent_file_uuid: parentUuid,
      file_url: expect.stringMatching(/^http:\/\//),
    });
    expect(result.current.variables).toMatchObject({ parentUuid });
  });

  it('fails with an UploadError', async () => {
    const { result } = renderHook(() => useThumbnailUpload(), { wrapper: wrapper({ token: 'wrong' }) });
    act(() => result.current.mutate({ file: pngFile(), parentUuid }));
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(result.current.error).toMatchObject({ name: 'UploadError', kind: 'auth', status: 401 });
  });

  it('turns a getToken that throws into an auth error', async () => {
    const getToken = () => Promise.reject(new Error('refresh failed'));
    const { result } = renderHook(() => useThumbnailUpload(), { wrapper: wrapper({ token: undefined, getToken }) });
    act(() => result.current.mutate({ file: pngFile(), parentUuid }));
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(result.current.error).toMatchObject({ kind: 'auth' });
  });

  it('runs in the host QueryClientProvider when there is one', async () => {
    const host = new QueryClient();
    const { result } = renderHook(() => useThumbnailUpload(), { wrapper: wrapper({}, host) });
    await act(() => result.current.mutateAsync({ file: pngFile(), parentUuid }));
    expect(host.getMutationCache().getAll()).toHaveLength(1);
  });

  it("ignores the host's default retry and throwOnError: the core alone decides what to retry", async () => {
    const host = new QueryClient({ defaultOptions: { mutations: { retry: 3, retryDelay: 0, throwOnError: true } } });
    const send = vi.spyOn(XMLHttpRequest.prototype, 'send');
    const { result } = renderHook(() => useThumbnailUpload(), { wrapper: wrapper({ token: 'wrong' }, host) });
    act(() => result.current.mutate({ file: pngFile(), parentUuid }));
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(result.current.error).toMatchObject({ kind: 'auth' });
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('prefers the queryClient prop over the host one', async () => {
    const host = new QueryClient();
    const own = new QueryClient();
    const { result } = renderHook(() => useThumbnailUpload(), { wrapper: wrapper({ queryClient: own }, host) });
    await act(() => result.current.mutateAsync({ file: pngFile(), parentUuid }));
    expect(own.getMutationCache().getAll()).toHaveLength(1);
    expect(host.getMutationCache().getAll()).toHaveLength(0);
  });

  it('works with no react-query provider at all', async () => {
    const { result } = renderHook(() => useThumbnailUpload(), { wrapper: wrapper() });
    await expect(act(() => result.current.mutateAsync({ file: pngFile(), parentUuid }))).resolves.toMatchObject({
      parent_file_uuid: parentUuid,
    });
  });
});
