/**
 * The fonts of text layers: one TrueType file per shipped face (url/text-layer.ts FONT_FACES,
 * so a face without its file does not compile), parsed once per isolate on first use. The files
 * are Debian's (fonts/NOTICE), bundled as Data modules (wrangler.toml rules).
 */
import type { ShippedFace } from '../../url/text-layer';
import dejavuRegular from './fonts/DejaVuSans.ttf';
import monoBold from './fonts/LiberationMono-Bold.ttf';
import monoItalic from './fonts/LiberationMono-Italic.ttf';
import monoRegular from './fonts/LiberationMono-Regular.ttf';
import sansBold from './fonts/LiberationSans-Bold.ttf';
import sansItalic from './fonts/LiberationSans-Italic.ttf';
import sansRegular from './fonts/LiberationSans-Regular.ttf';
import serifBold from './fonts/LiberationSerif-Bold.ttf';
import serifItalic from './fonts/LiberationSerif-Italic.ttf';
import serifRegular from './fonts/LiberationSerif-Regular.ttf';
import { type Font, parseFont } from './truetype';

const FILES: Record<ShippedFace, ArrayBuffer> = {
  'sans-regular': sansRegular,
  'sans-bold': sansBold,
  'sans-italic': sansItalic,
  'serif-regular': serifRegular,
  'serif-bold': serifBold,
  'serif-italic': serifItalic,
  'mono-regular': monoRegular,
  'mono-bold': monoBold,
  'mono-italic': monoItalic,
  'dejavu-regular': dejavuRegular,
};

const parsed = new Map<ShippedFace, Font>();

export function fontOf(face: ShippedFace): Font {
  let font = parsed.get(face);
  if (!font) {
    font = parseFont(FILES[face]);
    parsed.set(face, font);
  }
  return font;
}
