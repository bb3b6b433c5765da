import { ParamError } from './errors';

export type Color = readonly [number, number, number, number];

// CSS named colours most used in Cloudinary URLs; anything else can be written as rgb:RRGGBB.
const NAMED: Record<string, string> = {
  black: '000000',
  white: 'ffffff',
  red: 'ff0000',
  green: '008000',
  blue: '0000ff',
  yellow: 'ffff00',
  cyan: '00ffff',
  aqua: '00ffff',
  magenta: 'ff00ff',
  fuchsia: 'ff00ff',
  gray: '808080',
  grey: '808080',
  silver: 'c0c0c0',
  maroon: '800000',
  olive: '808000',
  lime: '00ff00',
  teal: '008080',
  navy: '000080',
  purple: '800080',
  orange: 'ffa500',
  pink: 'ffc0cb',
  brown: 'a52a2a',
  gold: 'ffd700',
  beige: 'f5f5dc',
  ivory: 'fffff0',
  khaki: 'f0e68c',
  lavender: 'e6e6fa',
  coral: 'ff7f50',
  salmon: 'fa8072',
  tomato: 'ff6347',
  crimson: 'dc143c',
  indigo: '4b0082',
  violet: 'ee82ee',
  turquoise: '40e0d0',
  tan: 'd2b48c',
  wheat: 'f5deb3',
  lightblue: 'add8e6',
  lightgray: 'd3d3d3',
  lightgrey: 'd3d3d3',
  lightgreen: '90ee90',
  lightyellow: 'ffffe0',
  darkblue: '00008b',
  darkgray: 'a9a9a9',
  darkgrey: 'a9a9a9',
  darkgreen: '006400',
  darkred: '8b0000',
  skyblue: '87ceeb',
  steelblue: '4682b4',
  slategray: '708090',
  whitesmoke: 'f5f5f5',
  snow: 'fffafa',
};

const EXPECTED = 'a colour name, rgb:RGB, rgb:RRGGBB, rgb:RRGGBBAA or transparent';

/** `b_`/`co_` colour grammar: names, `rgb:` hex in 3, 4, 6 or 8 digits, `transparent`/`none`. */
export function color(name: string) {
  return (raw: string): Color => {
    const lower = raw.toLowerCase();
    if (lower === 'transparent' || lower === 'none') return [0, 0, 0, 0];
    const hex = lower.startsWith('rgb:') ? lower.slice(4) : lower.startsWith('#') ? lower.slice(1) : NAMED[lower];
    if (hex === undefined || !/^([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/.test(hex)) throw new ParamError(name, raw, EXPECTED);
    const full = hex.length <= 4 ? [...hex].map((c) => c + c).join('') : hex;
    const byte = (i: number) => parseInt(full.slice(i * 2, i * 2 + 2), 16);
    return [byte(0), byte(1), byte(2), full.length === 8 ? byte(3) : 255];
  };
}

export function formatColor(c: Color): string {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return `rgb:${hex(c[0])}${hex(c[1])}${hex(c[2])}${c[3] === 255 ? '' : hex(c[3])}`;
}
