/** The demo page's CSS. */
export const DEMO_STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 0 16px 48px; color: #1d2330; }
h1 { margin: 16px 0 0; } h2 { margin: 28px 0 8px; font-size: 20px; } h3 { margin: 20px 0 4px; font-size: 16px; }
code { font-size: 12px; background: #f1f3f7; padding: 1px 4px; border-radius: 3px; }
#dropzone { border: 2px dashed #8a94a8; border-radius: 10px; padding: 28px; text-align: center; background: #f8f9fb; }
#dropzone.over { border-color: #2563eb; background: #e8efff; }
#upload-status { min-height: 1.4em; margin: 6px 0; }
#gallery { display: flex; flex-wrap: wrap; gap: 8px; }
#gallery button { padding: 0; border: 3px solid transparent; border-radius: 6px; background: none; cursor: pointer; }
#gallery button.chosen { border-color: #2563eb; }
#gallery img { display: block; width: 120px; height: 120px; border-radius: 3px; }
.note { color: #566073; margin: 0 0 8px; }
.row { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
figure { margin: 0; max-width: 340px; }
figure img:not([src]) { display: none; }
figure img { display: block; background: repeating-conic-gradient(#eee 0 25%, #fff 0 50%) 0 0 / 16px 16px; }
figcaption { font-size: 13px; margin-top: 4px; }
figcaption .url { display: block; word-break: break-all; user-select: all; margin-top: 2px; }
figcaption button { font-size: 11px; margin-top: 3px; }
.error { color: #b42318; }
progress { width: 100%; }
`;
