/** The entry of the single-file script build: `<script src="cos-sdk.browser.js">` defines `COS`, as cos-js-sdk-v5 does. */
import COS from './index.js';

(globalThis as { COS?: typeof COS }).COS = COS;
