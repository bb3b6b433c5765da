/** Test metadata: an XMP packet with a copyright and an IPTC (APP13) copyright notice, as cameras and editors write them. */
export const XMP_PACKET =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:rights>(c) dprox tests</dc:rights></rdf:Description></rdf:RDF></x:xmpmeta>';

function segment(marker: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  out.set([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 255]);
  out.set(body, 4);
  return out;
}

/** `jpeg` with an XMP APP1 and an APP13 (Photoshop 3.0, an IPTC copyright record) right after its SOI. */
export function addMetadata(jpeg: Uint8Array): Uint8Array {
  const enc = new TextEncoder();
  const xmp = segment(0xe1, enc.encode(`http://ns.adobe.com/xap/1.0/\0${XMP_PACKET}`));
  const notice = enc.encode('(c) dprox tests');
  const iptc = new Uint8Array([0x1c, 0x02, 0x74, 0, notice.length, ...notice]); // 2:116 copyright notice
  const resource = new Uint8Array([...enc.encode('8BIM'), 0x04, 0x04, 0, 0, 0, 0, 0, iptc.length, ...iptc, ...(iptc.length % 2 ? [0] : [])]);
  const app13 = segment(0xed, new Uint8Array([...enc.encode('Photoshop 3.0\0'), ...resource]));
  const out = new Uint8Array(jpeg.length + xmp.length + app13.length);
  out.set(jpeg.subarray(0, 2));
  out.set(xmp, 2);
  out.set(app13, 2 + xmp.length);
  out.set(jpeg.subarray(2), 2 + xmp.length + app13.length);
  return out;
}
