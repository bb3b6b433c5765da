/**
 * The planner: pure. Resolved transformation + source header → ordered steps with exact pixel
 * sizes and the request's peak memory, checked against the budget before any pixel is decoded.
 */
import { chooseShrink, WORK_NS } from './cost/model';
import { estimatePeak, MEMORY_BUDGET } from './cost/peak';
import { isColor } from '../url/background';
import { CldError } from '../url/errors';
import type { Component } from '../url/params';
import { componentSteps } from './component-steps';
import { joinStages } from './color';
import { premiumDownscaling } from './premium';
import { streaming } from './stream';
import { chainDpr } from './hints';
import { hasProgram, resolveChain } from './evaluate';
import { isLayer, layerSteps, withLayers } from './layers';
import { settleFormat } from './output';
import { stepAddsAlpha } from './transparency';
import { checkComponentCount, checkSize } from './limits';
import { estimateWork, stepWork, WORK_BUDGET_NS } from './cost/work';
import type { AfterTrim, ImageHeader, Plan, PlanInput, Rgba, Size, Step } from './steps';
import { formatComponent } from '../url/component';
import { animatedSteps, checkAnimatable, overFrameBudget, pickedFrame } from './animation';

export type { OutputSpec, Plan, PlanInput } from './steps';

export { MEMORY_BUDGET } from './cost/peak';

const WHITE: Rgba = [255, 255, 255, 255];

/** The transformation at full resolution, in logical (oriented) coordinates: every component's and layer's steps, colour steps joined. */
function planChain(input: Pick<PlanInput, 'components' | 'header' | 'layers'>) {
  const { header, layers } = input;
  checkComponentCount(input.components.length);
  const autoOrient = header.orientation > 1 && !input.components.some((c) => c.a?.ignore);
  const swaps = autoOrient && header.orientation >= 5;
  const oriented: Size = swaps ? { width: header.height, height: header.width } : { width: header.width, height: header.height };
  // Variables, expressions and conditions (plan/evaluate.ts): plain components from here on.
  const components = resolveProgram(input.components, header, layers);
  const dpr = chainDpr(components);
  const chain: Step[] = [];
  let size = oriented;
  let n = 0;
  for (const c of withLayers(components)) {
    n++;
    for (const step of isLayer(c) ? layerSteps(c, size, dpr, layers, buildPlan) : componentSteps(c, size, dpr)) {
      // Before it is the next step's input: sizes stay finite integers within the limits.
      checkSize(step, `the ${step.op} of ${isLayer(c) ? `layer ${c.publicId}` : `component ${n}`}`);
      const last = chain.at(-1);
      if (step.op === 'color' && last?.op === 'color') chain[chain.length - 1] = { ...last, stages: joinStages(last.stages, step.stages) };
      else chain.push(step);
      size = { width: step.width, height: step.height };
    }
  }
  return { components, chain, size, oriented, autoOrient, swaps };
}

/**
 * Whether the result may have transparency (f_auto keeps alpha for it): the original has alpha, or
 * a step of the chain can add it (plan/ops.ts `addsAlpha`), known from the chain's steps before
 * the output format is chosen.
 */
export function mayBeTransparent(input: Pick<PlanInput, 'components' | 'header' | 'layers'>): boolean {
  return input.header.hasAlpha || planChain(input).chain.some(stepAddsAlpha);
}

export function buildPlan(input: PlanInput): Plan {
  const { header, inputBytes, output: asked, extraBytes, premium } = input;
  const planned = planChain(input);
  const { components, size, oriented, autoOrient, swaps } = planned;
  let chain = planned.chain;

  if (premium || components.some((c) => c.fl?.includes('premium_downscaling'))) chain = premiumDownscaling(chain, oriented);

  // Shrink-on-load: decode a JPEG at 1/2, 1/4 or 1/8 when the chain starts by resizing to a size that still fits.
  const first = chain[0];
  const shrink = first?.op === 'resize' ? chooseShrink(header, swaps ? first.height : first.width, swaps ? first.width : first.height) : 1;
  // SVG: rendered at the first resize's size rather than at the intrinsic size and then resampled.
  const decoded: Size =
    header.format === 'svg' && first?.op === 'resize'
      ? svgRenderSize(header, first)
      : { width: Math.ceil(header.width / shrink), height: Math.ceil(header.height / shrink) };
  const frame = pickedFrame(components, header);
  const steps: Step[] = [{ op: 'decode', shrink, ...decoded, ...(frame ? { frames: frame + 1 } : {}) }];
  if (header.icc || header.iccDeflated) steps.push({ op: 'icc', ...decoded });
  if (autoOrient) steps.push({ op: 'orient', orientation: header.orientation, ...(swaps ? { width: decoded.height, height: decoded.width } : decoded) });
  const loaded = steps[steps.length - 1];
  // Shrink-on-load may already have produced the first resize's exact size.
  if (first?.op === 'resize' && first.width === loaded.width && first.height === loaded.height) chain.shift();
  steps.push(...chain);
  let { output, fallback } = settleFormat(asked, size.width, size.height);
  const transparent = header.hasAlpha || chain.some(stepAddsAlpha);
  if (output.format === 'jpg' && transparent) steps.push({ op: 'flatten', background: lastBackground(components), ...size });
  const alpha = transparent && output.format !== 'jpg' ? ({ alpha: true } as const) : {};
  steps.push({ op: 'encode', ...output, ...alpha, ...size });

  const ctx = { header, inputBytes };
  const extra = extraBytes?.(decoded) ?? 0;
  let streamed = streaming(steps);
  let peakBytes = estimatePeak(steps, streamed, ctx) + extra;
  // Written so that NaN is refused too.
  if (!(peakBytes <= MEMORY_BUDGET) && output.format === 'avif') {
    // AVIF's encoder needs more memory than WebP's: deliver WebP rather than refuse.
    output = { ...output, format: 'webp' };
    fallback = `avif->webp (memory: ${mb(peakBytes)} MB over ${mb(MEMORY_BUDGET)} MB)`;
    steps[steps.length - 1] = { op: 'encode', ...output, ...alpha, ...size };
    streamed = streaming(steps);
    peakBytes = estimatePeak(steps, streamed, ctx) + extra;
  }
  const animated = output.animate ? animationFits(steps, streamed, ctx, header.frames ?? 1) : undefined;
  if (animated?.steps) return { ...animated.plan, width: size.width, height: size.height, output, ...(fallback ? { formatFallback: fallback } : {}) };
  if (!(peakBytes <= MEMORY_BUDGET)) {
    throw new CldError(
      400,
      `Image too large to process: ${header.width}x${header.height} ${header.format}${header.progressive ? ' (progressive)' : ''} to ${size.width}x${size.height} needs about ${mb(peakBytes)} MB, over the ${mb(MEMORY_BUDGET)} MB limit`,
    );
  }
  const work = estimateWork(steps, header);
  if (!(work <= WORK_BUDGET_NS)) {
    throw new CldError(
      400,
      `Transformation too expensive: ${header.width}x${header.height} ${header.format} to ${size.width}x${size.height} needs about ${seconds(work)} s of processing, over the ${seconds(WORK_BUDGET_NS)} s limit`,
    );
  }
  const afterTrim = trimContinuation(input, components, output);
  return {
    steps,
    streamed,
    width: size.width,
    height: size.height,
    peakBytes,
    work,
    output,
    ...(fallback ? { formatFallback: fallback } : {}),
    ...(afterTrim ? { afterTrim } : {}),
    ...(animated?.firstFrame ? { animation: animated.firstFrame } : {}),
  };
}

/**
 * After the first e_trim, the rest of the chain planned again on the trimmed size (a PNG-shaped
 * header of that size: no orientation, no profile; its decode step dropped). The request was
 * admitted with the rest planned on the untrimmed size, and every step's memory and work grow with
 * its input, so the trimmed plan costs no more; buildPlan still holds it to the budgets.
 */
function trimContinuation(input: PlanInput, components: readonly Component[], output: Plan['output']): AfterTrim | undefined {
  const at = components.findIndex((c) => c.e?.name === 'trim');
  if (at < 0) return undefined;
  if (input.components.some(hasProgram))
    throw new CldError(400, 'e_trim cannot be combined with variables or conditions: they would read the size before the trim');
  const c = components[at];
  if (c.r || c.bo || c.o)
    throw new CldError(
      400,
      `e_trim's component cannot have r_, bo_ or o_ (they would be sized before the trim): put them in the next component, in ${formatComponent(c)}`,
    );
  const rest = components.slice(at + 1);
  return ({ width, height, opaque }) => {
    const header: PlanInput['header'] = {
      format: 'png',
      width,
      height,
      hasAlpha: !opaque,
      orientation: 1,
      progressive: false,
      animated: false,
      components: opaque ? 3 : 4,
    };
    const next = buildPlan({ ...input, components: rest, header, inputBytes: 0, output, extraBytes: undefined });
    return { steps: next.steps.slice(1), ...(next.afterTrim ? { afterTrim: next.afterTrim } : {}) };
  };
}

/**
 * The plan of every frame (the same steps run per frame: plan/animation.ts), or why only the first
 * frame fits: the frames x area budget, then the memory and work budgets of the whole animation.
 */
function animationFits(
  still: Step[],
  streamed: Plan['streamed'],
  ctx: { header: PlanInput['header']; inputBytes: number },
  frames: number,
):
  | { steps?: true; plan: Pick<Plan, 'steps' | 'streamed' | 'peakBytes' | 'work' | 'animation'>; firstFrame?: undefined }
  | { steps?: undefined; firstFrame: string } {
  checkAnimatable(still);
  const out = still[still.length - 1];
  const over = overFrameBudget(frames, out.width, out.height);
  if (over) return { firstFrame: over };
  const steps = animatedSteps(still, frames);
  const peakBytes = estimatePeak(steps, streamed, ctx);
  const size = `${frames} frames x ${out.width}x${out.height}`;
  if (!(peakBytes <= MEMORY_BUDGET)) return { firstFrame: `first-frame (${size} needs about ${mb(peakBytes)} MB, over the ${mb(MEMORY_BUDGET)} MB limit)` };
  // The decode step counts every frame itself; the others run once per frame.
  const [decodeNs, ...rest] = stepWork(steps, ctx.header);
  const work = decodeNs + frames * (rest.reduce((a, b) => a + b, 0) + WORK_NS.animationFrame);
  if (!(work <= WORK_BUDGET_NS))
    return { firstFrame: `first-frame (${size} needs about ${seconds(work)} s of processing, over the ${seconds(WORK_BUDGET_NS)} s limit)` };
  return { steps: true, plan: { steps, streamed, peakBytes, work, animation: `${frames} frames` } };
}

/**
 * The chain with its variables, expressions and conditions resolved against the original's header
 * (its oriented size) and the sizes the chain has at each point; the same components when it has none.
 * The route reads the format and quality of the resolved chain before planning it.
 */
export function resolveProgram(components: readonly Component[], header: PlanInput['header'], layers?: PlanInput['layers']): readonly Component[] {
  if (!components.some(hasProgram)) return components;
  const swaps = header.orientation >= 5 && !components.some((c) => c.a?.ignore);
  const initial: Size = swaps ? { width: header.height, height: header.width } : { width: header.width, height: header.height };
  return resolveChain({ components, initial, layers, buildPlan });
}

function lastBackground(components: readonly Component[]): Rgba {
  let bg: Rgba = WHITE;
  for (const c of components) if (isColor(c.b) && c.b[3] > 0) bg = c.b;
  return [bg[0], bg[1], bg[2], 255];
}

function seconds(ns: number): string {
  return (ns / 1e9).toFixed(1);
}

function mb(bytes: number): number {
  return Math.ceil(bytes / (1024 * 1024));
}

/**
 * The size an SVG is rendered at for a chain that starts by resizing to `to`: `to` itself when the
 * resize keeps the aspect ratio (the resize is then dropped), else the smallest aspect-kept size
 * covering it, which the resize then distorts.
 */
function svgRenderSize(header: ImageHeader, to: Size): Size {
  if (Math.abs(to.height - (to.width * header.height) / header.width) < 1) return { width: to.width, height: to.height };
  const zoom = Math.max(to.width / header.width, to.height / header.height);
  return { width: Math.max(to.width, Math.round(header.width * zoom)), height: Math.max(to.height, Math.round(header.height * zoom)) };
}
