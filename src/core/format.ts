const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
/** Making a formatter costs far more than using one: a list of many files formats its sizes on every render. */
const formatters: Record<string, Intl.NumberFormat> = {};

/** Bytes as a person reads them, in their language: "100 bytes", "1.5 kB", "10 MB" (1 kB = 1024 bytes here). */
export function formatBytes(bytes: number, locale = 'en'): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return (formatters[`${locale} ${unit}`] ??= new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: UNITS[unit],
    // "100 bytes" reads better than "100 byte"; the larger units are short ("kB", "MB").
    unitDisplay: unit === 0 ? 'long' : 'short',
    maximumFractionDigits: 1,
  })).format(value);
}

/** Long names keep their start and their extension on screen; the whole name is still what is sent. */
export function shortName(name: string, max = 48): string {
  if (name.length <= max) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
  return `${name.slice(0, max - extension.length - 1)}…${extension}`;
}
