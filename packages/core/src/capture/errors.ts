import { ColophonError } from '../errors.js';

/** An event or option a capture adapter got wrong (a class without its agent, a change outside the text). */
export class CaptureError extends ColophonError {}
