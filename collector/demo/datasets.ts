/** Real public data shipped in the vega-datasets npm package, used by the demo feeds and tests. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const packageDir = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '..');

/** Absolute path of a file in vega-datasets' data/ folder. */
export function datasetPath(name: string): string {
  return join(packageDir, 'data', name);
}

/** A flight of the 2001 US domestic flights sample. */
export interface Flight {
  /** `2001/01/14 21:55`, local time. */
  date: string;
  /** Arrival delay in minutes (negative = early). */
  delay: number;
  distance: number;
  origin: string;
  destination: string;
}

export function loadFlights(file = 'flights-20k.json'): Flight[] {
  return JSON.parse(readFileSync(datasetPath(file), 'utf8')) as Flight[];
}

/** A day of Seattle weather, 2012–2015. */
export interface WeatherDay {
  date: string;
  precipitation: number;
  temp_max: number;
  temp_min: number;
  wind: number;
  weather: string;
}

export function loadSeattleWeather(): WeatherDay[] {
  const [header, ...lines] = readFileSync(datasetPath('seattle-weather.csv'), 'utf8').trim().split('\n');
  const names = (header as string).split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    const day: Record<string, string | number> = {};
    names.forEach((name, i) => {
      const cell = cells[i] ?? '';
      day[name] = name === 'date' || name === 'weather' ? cell : Number(cell);
    });
    return day as unknown as WeatherDay;
  });
}
