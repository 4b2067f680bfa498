/**
 * Holds uploads part-way for the "Uploading" story. A service worker (MSW) only sees a request
 * once its whole body has been handed over, so it cannot show a request that is 40 % sent;
 * instead, XMLHttpRequests to one URL are replaced by ones that report real-looking upload
 * progress up to a fraction and then wait until aborted. Nothing is sent.
 */
export function holdUploadsAt(urlPrefix: string, fraction: number): () => void {
  const RealXMLHttpRequest = window.XMLHttpRequest;

  class HeldXMLHttpRequest extends RealXMLHttpRequest {
    #url = '';
    #timers: number[] = [];
    #held = false;

    override open(
      method: string,
      url: string | URL,
      async = true,
      username?: string | null,
      password?: string | null,
    ): void {
      this.#url = new URL(url, location.href).href;
      super.open(method, url, async, username, password);
    }

    override send(body?: Document | XMLHttpRequestBodyInit | null): void {
      if (!this.#url.startsWith(urlPrefix)) {
        super.send(body);
        return;
      }
      this.#held = true;
      const total = bodySize(body);
      const steps = [0.1, 0.25, 0.4, 0.55, 0.7, 0.85].filter((step) => step <= fraction).concat(fraction);
      this.#progress('loadstart', 0, total);
      steps.forEach((step, index) => {
        this.#timers.push(
          window.setTimeout(() => this.#progress('progress', Math.round(total * step), total), 60 * (index + 1)),
        );
      });
    }

    override abort(): void {
      if (!this.#held) {
        super.abort();
        return;
      }
      this.#held = false;
      this.#timers.forEach((timer) => window.clearTimeout(timer));
      // An opened-but-unsent XHR fires nothing on abort(); a real one mid-upload fires these.
      super.abort();
      this.#progress('abort', 0, 0);
      this.dispatchEvent(new ProgressEvent('abort'));
      this.dispatchEvent(new ProgressEvent('loadend'));
    }

    #progress(type: string, loaded: number, total: number): void {
      this.upload.dispatchEvent(new ProgressEvent(type, { lengthComputable: total > 0, loaded, total }));
    }
  }

  window.XMLHttpRequest = HeldXMLHttpRequest;
  return () => {
    window.XMLHttpRequest = RealXMLHttpRequest;
  };
}

/** Close to what the browser would send: the file parts' bytes plus the fields and some framing. */
function bodySize(body: Document | XMLHttpRequestBodyInit | null | undefined): number {
  if (!(body instanceof FormData)) return 1024;
  let size = 0;
  for (const [name, value] of body) size += 128 + name.length + (typeof value === 'string' ? value.length : value.size);
  return size;
}
