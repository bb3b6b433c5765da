/**
 * fl_keep_iptc for JPEG to JPEG: the original's IPTC (APP13, Photoshop image resources) and XMP
 * (APP1 `http://ns.adobe.com/xap/1.0/`, and extended XMP) segments copied into the encoded output
 * after its JFIF header. EXIF is not copied: its orientation, size and thumbnail describe the
 * original, not the transformed image (dprox has already applied the orientation).
 */
const XMP = 'http://ns.adobe.com/xap/1.0/\0';
const XMP_EXTENSION = 'http://ns.adobe.com/xmp/extension/\0';

/** The APP13 and XMP APP1 segments of a JPEG, markers included, in file order (scanning stops at the first scan). */
export function metadataSegments(jpeg: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 2;
  while (i + 4 <= jpeg.length && jpeg[i] === 0xff) {
    const marker = jpeg[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const end = i + 2 + ((jpeg[i + 2] << 8) | jpeg[i + 3]);
    if (end > jpeg.length) break;
    const segment = jpeg.subarray(i, end);
    if (marker === 0xed || (marker === 0xe1 && (startsWith(segment, XMP) || startsWith(segment, XMP_EXTENSION)))) out.push(segment);
    i = end;
  }
  return out;
}

/** `encoded` with the metadata segments of `original` inserted after its SOI and JFIF APP0. */
export function withMetadataOf(original: Uint8Array, encoded: Uint8Array): Uint8Array {
  const segments = metadataSegments(original);
  if (!segments.length) return encoded;
  let at = 2;
  if (encoded[2] === 0xff && encoded[3] === 0xe0) at = 4 + ((encoded[4] << 8) | encoded[5]);
  const out = new Uint8Array(encoded.length + segments.reduce((n, s) => n + s.length, 0));
  out.set(encoded.subarray(0, at));
  let p = at;
  for (const s of segments) {
    out.set(s, p);
    p += s.length;
  }
  out.set(encoded.subarray(at), p);
  return out;
}

function startsWith(segment: Uint8Array, id: string): boolean {
  if (segment.length < 4 + id.length) return false;
  for (let k = 0; k < id.length; k++) if (segment[4 + k] !== id.charCodeAt(k)) return false;
  return true;
}
