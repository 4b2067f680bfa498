/**
 * Setup file of the Firefox projects. Vitest puts its test iframe in a wrapper with
 * `transform: scale(…)`, even `scale(1)`; Playwright's WebDriver BiDi cannot click inside an iframe
 * under a transform. The page is sized so that the scale is 1 (test/support/engines.ts), and then the
 * transform, which changes nothing on screen, is taken off.
 */
const wrapper = window.frameElement?.parentElement;
if (wrapper && wrapper.dataset.scale === '1') wrapper.style.transform = 'none';
