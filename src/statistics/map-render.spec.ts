import { CLASS_FILLS, classify, classOf, fillOf, NO_VALUE_FILL, SUPPRESSED_FILL } from './map-render.js';

describe('map classes', () => {
  it('splits 0..max into round equal classes; counts get whole-number bounds', () => {
    expect(classify([3, 10, 15], true).map((c) => [c.from, c.to])).toEqual([
      [0, 5],
      [5, 10],
      [10, 15],
    ]);
    expect(classify([0.29, 0.1, 0.85], false).map((c) => [c.from, c.to])).toEqual([
      [0, 0.2],
      [0.2, 0.4],
      [0.4, 0.6],
      [0.6, 0.8],
      [0.8, 1],
    ]);
    expect(classify([1, 2], true).map((c) => [c.from, c.to])).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });

  it('spreads fewer classes over the scale, light to dark; all zero is one class', () => {
    const three = classify([15], true);
    expect(three.map((c) => c.fill)).toEqual([CLASS_FILLS[0], CLASS_FILLS[2], CLASS_FILLS[4]]);
    expect(classify([0, 0], true)).toEqual([{ from: 0, to: 0, fill: CLASS_FILLS[0] }]);
  });

  it('puts a value in the class it starts, the largest in the last', () => {
    const classes = classify([3, 10, 15], true);
    expect(classOf(classes, 0).from).toBe(0);
    expect(classOf(classes, 5).from).toBe(5);
    expect(classOf(classes, 15).from).toBe(10);
  });

  it('hatches a suppressed shape and leaves one without a value white', () => {
    const classes = classify([10], true);
    const shape = { shape: '9206', id: '4912', label: 'x', value: 10, suppressed: false };
    expect(fillOf(classes, shape)).toBe(classes[classes.length - 1]!.fill);
    expect(fillOf(classes, { ...shape, value: null, suppressed: true })).toBe(SUPPRESSED_FILL);
    expect(fillOf(classes, { ...shape, value: null })).toBe(NO_VALUE_FILL);
  });
});
