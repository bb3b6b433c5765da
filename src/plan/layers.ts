/**
 * Layers: `l_<public_id>` overlays and `u_<public_id>` underlays, planned like everything else
 * (pure, before any pixel is decoded).
 *
 * Grammar, as on Cloudinary:
 * - `l_X` opens a layer when a later component carries `fl_layer_apply`; the components in between
 *   transform the layer only, and the `fl_layer_apply` component places it (`g_` default center,
 *   `x`/`y`, `fl_no_overflow`, `fl_tiled`); its other parameters (`c_`, `w_`, `o_`, `e_`, ...) are
 *   the layer's last transformation.
 * - Without a later `fl_layer_apply`, the component holding `l_X` is the whole layer (legacy form,
 *   `l_badge,g_south_east,w_40,x_10`): its placement parameters place it, the rest transform it.
 * - Layers inside layers are refused (400), as is `fl_layer_apply` without an open layer.
 *
 * A layer is itself a plan: the layer's original decoded (shrink-on-load when its chain starts by
 * downsizing), oriented and transformed by its own chain, with a raster instead of an encode.
 * Sizes and offsets are logical: the chain's DPR multiplies them as it does the base's, and a
 * layer that no pixel size anchors (`l_X/fl_layer_apply`, `w_0.5` of itself) is first scaled by
 * the DPR, so it covers the same part of the image at every DPR. `fl_relative` makes decimal
 * `w`/`h` fractions of the image the layer is placed on (the base at that point of the chain).
 */
import { encodeWork } from './cost/model';
import { estimatePeak } from './cost/peak';
import { estimateWork } from './cost/work';
import type { Color } from '../url/colors';
import { isAiEffect, isBlendEffect } from '../url/effects';
import { isColor } from '../url/background';
import { CldError } from '../url/errors';
import { formatLayerId } from '../url/layer-id';
import type { Component, Flag, Gravity } from '../url/params';
import type { TextSource } from '../url/text-layer';
import type { Dimension, Offset } from '../url/values';
import { compassOf, offsetDirection, offsetPx, place } from './geometry';
import { checkSize } from './limits';
import { streaming } from './stream';
import type { BlendMode, ImageHeader, LayerPlan, LayerSource, LayerSources, Plan, PlanInput, Size, Step } from './steps';
import { layoutText } from './text/layout';

export type { LayerPlan, LayerSource, LayerSources } from './steps';

export function layerSourceSize(source: LayerSource): number {
  return source.size ?? source.bytes?.byteLength ?? 0;
}

/**
 * A text layer's own parameters, taken from the component that opens it: `co_` (text colour,
 * default black), `b_` (background, default transparent), `c_fit,w_[,h_]` (wrap at w, cut at h).
 */
export interface TextLayer {
  source: TextSource;
  color?: Color;
  background?: Color;
  fitWidth?: Dimension;
  fitHeight?: Dimension;
}

export interface Layer {
  kind: 'overlay' | 'underlay';
  /** The public ID of an image layer; a text layer's canonical `text:<style>:<text>`. */
  publicId: string;
  text?: TextLayer;
  /** The layer's own transformation, in order. */
  components: Component[];
  gravity?: Gravity;
  x?: Offset;
  y?: Offset;
  noOverflow: boolean;
  tiled: boolean;
  /** fl_cutter, e_mask: the layer's alpha cuts the image (kept where the layer is opaque), on the image's canvas; e_cut_out: removed there. */
  cutter?: true | 'inverse';
  /** e_multiply, e_screen, e_overlay, e_anti_removal (with its level, 0..1). */
  blend?: BlendMode;
  level?: number;
}

/** More layers than this in one URL are refused: each is an R2 read and a decode. */
export const MAX_LAYERS = 10;

const PLACEMENT_FLAGS: readonly Flag[] = ['layer_apply', 'no_overflow', 'tiled', 'cutter'];
/** Parameters of the whole delivery wherever they appear; never part of a layer's own chain. */
const OUTPUT_FLAGS: readonly Flag[] = ['progressive', 'immutable_cache', 'attachment', 'getinfo', 'keep_iptc'];

export function isLayer(item: Component | Layer): item is Layer {
  return 'kind' in item;
}

/** The chain with each layer's components gathered into one Layer item at the point it is applied. */
export function withLayers(components: readonly Component[]): (Component | Layer)[] {
  const out: (Component | Layer)[] = [];
  let open: Layer | undefined;
  components.forEach((c, i) => {
    const applies = c.fl?.includes('layer_apply') ?? false;
    if (c.l !== undefined || c.u !== undefined) {
      if (c.l !== undefined && c.u !== undefined) throw new CldError(400, 'Invalid transformation: one component cannot hold both l_ and u_');
      if (open)
        throw new CldError(400, `Layers inside layers are not supported: close the layer ${open.publicId} with fl_layer_apply before opening ${c.l ?? c.u}`);
      const ref = (c.l ?? c.u)!;
      const layer: Layer = { kind: c.l !== undefined ? 'overlay' : 'underlay', publicId: formatLayerId(ref), components: [], noOverflow: false, tiled: false };
      if (typeof ref === 'string') {
        layer.publicId = ref;
        applyComponent(layer, c);
      } else {
        // co_, b_ and c_fit's w_/h_ of the component holding l_text are the text's, not transformations of it.
        const fit = c.c === 'fit';
        if (c.b !== undefined && !isColor(c.b)) throw new CldError(400, "A text layer's b_ is a colour: b_auto and b_blurred are for the pad modes");
        layer.text = { source: ref, color: c.co, background: c.b, ...(fit ? { fitWidth: c.w, fitHeight: c.h } : {}) };
        applyComponent(layer, { ...c, co: undefined, b: undefined, ...(fit ? { c: undefined, w: undefined, h: undefined } : {}) });
      }
      const closedLater = !applies && components.slice(i + 1).some((later) => later.fl?.includes('layer_apply'));
      if (closedLater) open = layer;
      else out.push(layer); // legacy single-component form: applied here
    } else if (applies) {
      if (!open)
        throw new CldError(400, 'Invalid transformation: fl_layer_apply without an open layer (l_<public_id> or u_<public_id> in an earlier component)');
      applyComponent(open, c);
      out.push(open);
      open = undefined;
    } else if (open) {
      const own = ownPart(c);
      if (Object.keys(own).length) open.components.push(own);
    } else out.push(c);
  });
  if (out.filter((c) => isLayer(c)).length > MAX_LAYERS) throw new CldError(400, `Too many layers: at most ${MAX_LAYERS} in one URL`);
  return out;
}

/** The public IDs of the image layers of a chain, to read from storage (validates the layer grammar: 400 on errors). */
export function layerPublicIds(components: readonly Component[]): string[] {
  return [
    ...new Set(
      withLayers(components)
        .filter((l) => isLayer(l) && !l.text)
        .map((l) => (l as Layer).publicId),
    ),
  ];
}

/** A component that opens or applies a layer: placement goes to the layer, the rest is its last transformation. */
function applyComponent(layer: Layer, c: Component): void {
  const { g, x, y } = c;
  if (g !== undefined) layer.gravity = g;
  if (x !== undefined) layer.x = x;
  if (y !== undefined) layer.y = y;
  if (c.fl?.includes('no_overflow')) layer.noOverflow = true;
  if (c.fl?.includes('tiled')) layer.tiled = true;
  if (c.fl?.includes('cutter')) {
    if (layer.kind === 'underlay') throw new CldError(400, 'fl_cutter cuts the image with an overlay: use it with l_, not u_');
    layer.cutter = true;
  }
  let e = c.e;
  if (isBlendEffect(e)) {
    // An underlay blends too (the image is then the source over it); it cannot cut the image it lies under.
    if (layer.kind === 'underlay' && (e!.name === 'mask' || e!.name === 'cut_out'))
      throw new CldError(400, `e_${e!.name} cuts the image with an overlay: use it with l_, not u_`);
    if (e!.name === 'mask') layer.cutter = true;
    else if (e!.name === 'cut_out') layer.cutter = 'inverse';
    else {
      layer.blend = e!.name as BlendMode;
      if (e!.name === 'anti_removal') layer.level = e!.strength! / 100;
    }
    e = undefined;
  }
  const own = ownPart({ ...c, g: undefined, x: undefined, y: undefined, e });
  if (Object.keys(own).length) layer.components.push(own);
}

/** What of a component transforms the layer: not the layer keys, placement flags, nor output parameters (dpr, f, q). */
function ownPart(c: Component): Component {
  if (isAiEffect(c.e)) throw new CldError(400, `AI effects are not supported inside a layer (e_${c.e.name})`);
  if (c.e?.name === 'trim') throw new CldError(400, 'e_trim is not supported inside a layer: its size, known only from its pixels, places the layer');
  const own: Component = { ...c };
  for (const key of ['l', 'u', 'dpr', 'f', 'q'] as const) delete own[key];
  const flags = c.fl?.filter((f) => !PLACEMENT_FLAGS.includes(f as Flag) && !OUTPUT_FLAGS.includes(f.split(':')[0] as Flag));
  if (flags?.length) own.fl = flags;
  else delete own.fl;
  for (const key of Object.keys(own) as (keyof Component)[]) if (own[key] === undefined) delete own[key];
  return own;
}

const LAYER_OUTPUT = { format: 'png', quality: 100, progressive: false } as const;

/** The composite step of one layer applied to an image of size `base`, with the layer's own plan inside. */
/** `buildPlan` is plan.ts's, passed in: a layer is planned by the same planner, which imports this file. */
export function layerSteps(layer: Layer, base: Size, dpr: number, sources: LayerSources | undefined, buildPlan: (input: PlanInput) => Plan): Step[] {
  const lp = layer.text ? textLayerPlan(layer, layer.text, base, dpr, buildPlan) : imageLayerPlan(layer, base, dpr, sources, buildPlan);
  return placeLayer(layer, lp, base, dpr);
}

function imageLayerPlan(layer: Layer, base: Size, dpr: number, sources: LayerSources | undefined, buildPlan: (input: PlanInput) => Plan): LayerPlan {
  if (!sources) throw new CldError(400, `Layers are not supported here (l_${layer.publicId}): only in delivery URLs`);
  const source = sources.get(layer.publicId);
  if (!source) throw new CldError(400, `Unknown or invalid referenced image ${layer.publicId} of type upload`);
  const own = layer.components.map((c) => relativeTo(c, base, dpr));
  const sizing = own.find((c) => c.w || c.h || c.exprs?.w || c.exprs?.h);
  // A computed width or height (`w_$a`, `w_iw_div_2`) is pixels.
  const anchored = sizing !== undefined && (sizing.w?.kind === 'px' || sizing.h?.kind === 'px' || !!sizing.exprs?.w || !!sizing.exprs?.h);
  const chain: Component[] = [
    { dpr: { kind: 'fixed', value: dpr } },
    ...(anchored || dpr === 1 ? [] : [{ c: 'scale', w: { kind: 'ratio', value: dpr } } as Component]),
    ...own,
  ];
  let plan;
  try {
    plan = buildPlan({ components: chain, header: source.header, inputBytes: layerSourceSize(source), output: LAYER_OUTPUT });
  } catch (e) {
    if (e instanceof CldError) throw new CldError(e.status, `Layer ${layer.publicId}: ${e.message}`);
    throw e;
  }
  const steps = plan.steps.filter((s) => s.op !== 'encode');
  const streamed = { steps: plan.streamed.steps, encode: false };
  const lp: LayerPlan = {
    publicId: layer.publicId,
    source,
    steps,
    streamed,
    width: plan.width,
    height: plan.height,
    // Its steps without the encode: the layer ends as a raster (its stream collected), never a PNG.
    peakBytes: estimatePeak(steps, streamed, { header: source.header, inputBytes: layerSourceSize(source) }),
    work: plan.work - encodeWork(LAYER_OUTPUT.format, plan.width, plan.height),
  };
  return lp;
}

const BLACK: Color = [0, 0, 0, 255];
const TRANSPARENT: Color = [0, 0, 0, 0];

/**
 * A text layer: its glyphs laid out from the font's metrics (plan/text/layout.ts) into a box of
 * known size, drawn by a `text` step, then the layer's own transformations planned on that box
 * as on a decoded original. Font size and spacings are multiplied by the DPR (the text is drawn
 * at the output's resolution, never scaled up afterwards).
 */
function textLayerPlan(layer: Layer, text: TextLayer, base: Size, dpr: number, buildPlan: (input: PlanInput) => Plan): LayerPlan {
  const fitPx = (d: Dimension | undefined, what: string): number | undefined => {
    if (d === undefined) return undefined;
    if (d.kind !== 'px') throw new CldError(400, `Layer ${layer.publicId}: c_fit,${what}_ of a text layer must be in pixels`);
    return d.value * dpr;
  };
  const laid = layoutText(text.source, dpr, { width: fitPx(text.fitWidth, 'w'), height: fitPx(text.fitHeight, 'h') });
  const step: Step = {
    op: 'text',
    face: text.source.face,
    size: text.source.size * dpr,
    scale: laid.scale,
    glyphs: laid.glyphs,
    rules: laid.rules,
    color: text.color ?? BLACK,
    background: text.background ?? TRANSPARENT,
    width: laid.width,
    height: laid.height,
  };
  checkSize(step, `the text of layer ${layer.publicId}`);
  // The box as a decoded original would be: the rest of the layer's chain is planned on it.
  const header: ImageHeader = {
    format: 'png',
    width: step.width,
    height: step.height,
    hasAlpha: true,
    orientation: 1,
    progressive: false,
    animated: false,
    components: 4,
  };
  const own = layer.components.map((c) => relativeTo(c, base, dpr));
  let plan: Plan;
  try {
    plan = buildPlan({ components: [{ dpr: { kind: 'fixed', value: dpr } }, ...own], header, inputBytes: 0, output: LAYER_OUTPUT });
  } catch (e) {
    if (e instanceof CldError) throw new CldError(e.status, `Layer ${layer.publicId}: ${e.message}`);
    throw e;
  }
  if (plan.steps[0].op !== 'decode') throw new Error('a plan starts with its decode');
  const steps = [step, ...plan.steps.slice(1).filter((s) => s.op !== 'encode')];
  const streamed = streaming(steps);
  return {
    publicId: layer.publicId,
    steps,
    streamed,
    width: plan.width,
    height: plan.height,
    peakBytes: estimatePeak(steps, streamed, { header, inputBytes: 0 }),
    work: estimateWork(steps, header),
  };
}

function placeLayer(layer: Layer, lp: LayerPlan, base: Size, dpr: number): Step[] {
  // Gravity anchors the layer in the image; x/y move it away from that edge (Cloudinary's directions).
  const g = compassOf(layer.gravity);
  let [x, y] = place(base, lp, layer.gravity);
  const [sx, sy] = offsetDirection(g);
  x = Math.round(x + sx * offsetPx(layer.x, base.width, dpr));
  y = Math.round(y + sy * offsetPx(layer.y, base.height, dpr));
  // g_xy_center: the layer's centre on the point (x, y) of the image.
  if (layer.gravity === 'xy_center') {
    x = Math.round(offsetPx(layer.x, base.width, dpr) - lp.width / 2);
    y = Math.round(offsetPx(layer.y, base.height, dpr) - lp.height / 2);
  }
  const under = layer.kind === 'underlay';
  if (layer.cutter) return [{ op: 'composite', layer: lp, under, tiled: layer.tiled, cutter: layer.cutter, x, y, baseX: 0, baseY: 0, ...base }];
  const blend = layer.blend ? { blend: layer.blend, ...(layer.level !== undefined ? { level: layer.level } : {}) } : {};
  if (layer.tiled || layer.noOverflow) return [{ op: 'composite', layer: lp, under, tiled: layer.tiled, ...blend, x, y, baseX: 0, baseY: 0, ...base }];
  // A layer reaching past the image enlarges the canvas to hold both (transparent where neither is).
  const left = Math.min(0, x),
    top = Math.min(0, y);
  const width = Math.max(base.width, x + lp.width) - left;
  const height = Math.max(base.height, y + lp.height) - top;
  return [{ op: 'composite', layer: lp, under, tiled: false, ...blend, x: x - left, y: y - top, baseX: 0 - left, baseY: 0 - top, width, height }];
}

/**
 * `fl_relative`: decimal w/h are fractions of the image the layer goes on. Rewritten as logical
 * pixels (base pixels / DPR), which the planner multiplies back by the DPR.
 */
function relativeTo(c: Component, base: Size, dpr: number): Component {
  if (!c.fl?.includes('relative')) return c;
  const out: Component = { ...c, fl: c.fl.filter((f) => f !== 'relative') };
  if (!out.fl!.length) delete out.fl;
  if (c.w?.kind === 'ratio') out.w = { kind: 'px', value: (c.w.value * base.width) / dpr };
  if (c.h?.kind === 'ratio') out.h = { kind: 'px', value: (c.h.value * base.height) / dpr };
  return out;
}
