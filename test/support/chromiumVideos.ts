import { chromium } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { TEST_VIDEOS, recordVideo, type RecordedVideos } from '../browser/recordVideo.ts';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The test videos as base64 WebM, recorded in Chromium, for an engine whose MediaRecorder records none. */
    videosRecordedInChromium: RecordedVideos;
  }
}

/**
 * Vitest global setup of the WebKit browser tests. WebKit's MediaRecorder records no WebM (it lists
 * MP4 and records 0 bytes), yet it plays WebM: the videos are recorded in Debian's Chromium, by the
 * very function the other engines run, and handed to the tests. Nothing is stored in the repository.
 */
export default async function setup(project: TestProject) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const videos = await page.evaluate(`(async () => {
      const recordVideo = ${recordVideo.toString()};
      const base64 = async (blob) => {
        const bytes = new Uint8Array(await blob.arrayBuffer());
        let binary = '';
        for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
        return btoa(binary);
      };
      const wanted = ${JSON.stringify(TEST_VIDEOS)};
      const names = Object.keys(wanted);
      const blobs = await Promise.all(names.map((name) => recordVideo(...wanted[name])));
      return Object.fromEntries(await Promise.all(names.map(async (name, i) => [name, await base64(blobs[i])])));
    })()`);
    project.provide('videosRecordedInChromium', videos as RecordedVideos);
  } finally {
    await browser.close();
  }
}
