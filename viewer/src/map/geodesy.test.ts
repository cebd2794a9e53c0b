import { describe, expect, it } from 'vitest';
import { distanceM, pathLengthM, polygonAreaM2 } from './geodesy.js';

describe('the measure tool\'s geodesy', () => {
  it('measures 0.001° of latitude as about 111 m and of longitude in Shanghai as about 95 m', () => {
    expect(distanceM([121.1, 31.1], [121.1, 31.101])).toBeCloseTo(111.19, 1);
    expect(distanceM([121.1, 31.1], [121.101, 31.1])).toBeCloseTo(95.2, 0);
    expect(pathLengthM([[121.1, 31.1], [121.1, 31.101], [121.1, 31.102]])).toBeCloseTo(222.4, 0);
  });

  it('gives a 100 m square about 10,000 m², whichever way round it is drawn, and nothing below 3 points', () => {
    const dLat = 100 / 111_195;
    const dLon = 100 / (111_195 * Math.cos((31.1 * Math.PI) / 180));
    const square: Array<[number, number]> = [[121.1, 31.1], [121.1 + dLon, 31.1], [121.1 + dLon, 31.1 + dLat], [121.1, 31.1 + dLat]];
    expect(Math.abs(polygonAreaM2(square) - 10_000)).toBeLessThan(20);
    expect(polygonAreaM2([...square].reverse())).toBeCloseTo(polygonAreaM2(square), 6);
    expect(polygonAreaM2(square.slice(0, 2))).toBe(0);
  });
});
