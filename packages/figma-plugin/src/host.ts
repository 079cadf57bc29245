// The part of Figma's plugin API the main thread uses. Everything takes the host as a value of this
// type rather than touching the `figma` global, so the test host (test/fake-figma.ts) implements
// exactly this surface and the compiler checks it against @figma/plugin-typings.

export type FigmaHost = Pick<
  PluginAPI,
  | 'root'
  | 'currentUser'
  | 'currentPage'
  | 'clientStorage'
  | 'on'
  | 'off'
  | 'loadAllPagesAsync'
  | 'getNodeByIdAsync'
  | 'getImageByHash'
  | 'showUI'
  | 'ui'
  | 'notify'
>;
