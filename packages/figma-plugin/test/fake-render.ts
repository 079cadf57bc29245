// exportAsync for the fake host: Figma renders a layer; the fake draws its boxes (each visible
// layer's bounds in its first solid fill) into a real file of the requested format, with pngjs,
// jpeg-js and pdf-lib, or as SVG text. Not Figma's rendering, but real PNG/JPG/PDF/SVG bytes that
// change when the design does, which is what the C2PA SDK and the export path need.
import jpeg from 'jpeg-js';
import { PDFDocument, rgb } from 'pdf-lib';
import { PNG } from 'pngjs';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
  /** 0..1 */
  color: { r: number; g: number; b: number };
  opacity: number;
}

const MAX_SIDE = 4096;
const byte = (v: number) => Math.max(0, Math.min(255, Math.round(v * 255)));

function raster(boxes: readonly Box[], width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4, 255);
  for (const box of boxes) {
    const [r, g, b] = [byte(box.color.r), byte(box.color.g), byte(box.color.b)];
    for (let y = Math.max(0, Math.floor(box.y)); y < Math.min(height, box.y + box.height); y++) {
      for (let x = Math.max(0, Math.floor(box.x)); x < Math.min(width, box.x + box.width); x++) {
        const at = (y * width + x) * 4;
        const a = box.opacity;
        data[at] = Math.round(r * a + data[at]! * (1 - a));
        data[at + 1] = Math.round(g * a + data[at + 1]! * (1 - a));
        data[at + 2] = Math.round(b * a + data[at + 2]! * (1 - a));
      }
    }
  }
  return data;
}

const hex = (box: Box) => `#${[box.color.r, box.color.g, box.color.b].map((v) => byte(v).toString(16).padStart(2, '0')).join('')}`;

export async function render(boxes: readonly Box[], width: number, height: number, format: string): Promise<Uint8Array> {
  const w = Math.max(1, Math.min(MAX_SIDE, Math.round(width)));
  const h = Math.max(1, Math.min(MAX_SIDE, Math.round(height)));
  switch (format) {
    case 'PNG': {
      const png = new PNG({ width: w, height: h });
      png.data = raster(boxes, w, h);
      return new Uint8Array(PNG.sync.write(png));
    }
    case 'JPG':
      return new Uint8Array(jpeg.encode({ data: raster(boxes, w, h), width: w, height: h }, 90).data);
    case 'PDF': {
      const pdf = await PDFDocument.create();
      const page = pdf.addPage([w, h]);
      for (const box of boxes) page.drawRectangle({ x: box.x, y: h - box.y - box.height, width: box.width, height: box.height, color: rgb(box.color.r, box.color.g, box.color.b), opacity: box.opacity });
      return pdf.save();
    }
    case 'SVG':
    case 'SVG_STRING': {
      const rects = boxes.map((b) => `<rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" fill="${hex(b)}" fill-opacity="${b.opacity}"/>`).join('');
      const text = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${rects}</svg>\n`;
      return new TextEncoder().encode(text);
    }
    default:
      throw new Error(`exportAsync: unsupported format "${format}"`);
  }
}
