/** Object URLs created and not yet revoked; jsdom has none of its own, so the tests count them here. */
export const liveObjectUrls = new Set<string>();

export function installObjectUrls(): void {
  let next = 0;
  Object.assign(URL, {
    createObjectURL: () => {
      next += 1;
      const url = `blob:http://localhost/${next}`;
      liveObjectUrls.add(url);
      return url;
    },
    revokeObjectURL: (url: string) => {
      liveObjectUrls.delete(url);
    },
  });
}
