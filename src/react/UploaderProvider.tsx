import { QueryClient, QueryClientContext } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { DEFAULT_FIELD_PREFIX } from '../core/protocol';

export interface UploaderProviderProps {
  /** Origin (and path prefix) of the API; uploads go to `${baseUrl}/api/v2/pm/upload/`. */
  baseUrl: string;
  /** A fixed access token, sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Called before every request for a fresh access token; wins over `token`. */
  getToken?: () => string | Promise<string>;
  /** Prefix of the form's field names; `''` for the newer API. @default 'qq' */
  fieldPrefix?: string;
  /** The react-query client to run uploads in. @default the host `QueryClientProvider`'s client, else an internal one */
  queryClient?: QueryClient;
  children?: ReactNode;
}

/** Where and as whom to upload, as the core's upload functions take it. */
export interface UploaderServer {
  baseUrl: string;
  fieldPrefix: string;
  /** The token for the next request: `getToken()` if given, else `token`. */
  token: () => Promise<string | undefined>;
  /**
   * After a 401 for the token `refused`: a fresh token, or undefined. Uploads refused at the same
   * time share one call, and so do those refused the same token later.
   */
  refreshToken: (refused: string | undefined) => Promise<string | undefined>;
}

export interface UploaderConfig {
  queryClient: QueryClient;
  server: UploaderServer;
}

const UploaderContext = createContext<UploaderConfig | null>(null);

/** Tells every uploader below it where to upload and with which token. */
export function UploaderProvider({
  baseUrl,
  token,
  getToken,
  fieldPrefix = DEFAULT_FIELD_PREFIX,
  queryClient,
  children,
}: UploaderProviderProps) {
  const hostClient = useContext(QueryClientContext);
  // A client is a few empty maps: cheaper to keep one than to track when the host's goes away.
  const [ownClient] = useState(() => new QueryClient());
  const client = queryClient ?? hostClient ?? ownClient;
  // An inline `getToken={() => auth.token}` is a new function every render: read it when needed,
  // so that the uploaders below do not re-render, and a refresh under way stays shared.
  const credentials = useRef({ token, getToken });
  useEffect(() => {
    credentials.current = { token, getToken };
  });
  const value = useMemo<UploaderConfig>(() => {
    const resolveToken = async () => {
      const current = credentials.current;
      return current.getToken ? current.getToken() : current.token;
    };
    let refreshing: Promise<string | undefined> | undefined;
    let last: { refused: string | undefined; token: string | undefined } | undefined;
    const refreshToken = (refused: string | undefined) => {
      // A queue's items refused one after another with the same old token: one refresh serves them all.
      if (last?.token && last.refused === refused) return Promise.resolve(last.token);
      refreshing ??= resolveToken()
        .catch(() => undefined)
        .then((token) => (last = { refused, token }).token)
        .finally(() => {
          refreshing = undefined;
        });
      return refreshing;
    };
    return { queryClient: client, server: { baseUrl, fieldPrefix, token: resolveToken, refreshToken } };
  }, [baseUrl, fieldPrefix, client]);
  return <UploaderContext.Provider value={value}>{children}</UploaderContext.Provider>;
}

export function useUploaderConfig(): UploaderConfig {
  const config = useContext(UploaderContext);
  if (!config) {
    throw new Error(
      'react-thumbnail-uploader: wrap the uploader in <UploaderProvider baseUrl="https://your.api" token={…}> so it knows where to upload.',
    );
  }
  return config;
}
