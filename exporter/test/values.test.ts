import { id, optionalId, wholeAmount } from '../src/sources/values';

// The guards every numeric column goes through: the fast path for plain digits must agree with the
// general one on every input.
describe('value guards', () => {
  test.each([
    ['7', '7'],
    ['007', '7'],
    ['0', '0'],
    ['18446744073709551615', '18446744073709551615'],
    [42, '42'],
    [12n, '12'],
    ['', undefined],
    ['-1', undefined],
    ['1.5', undefined],
    [' 7', undefined],
    ['１２', undefined],
    [-3, undefined],
    [2 ** 53, undefined],
  ])('id(%p) is %p', (value, expected) => {
    expect(id(value)).toBe(expected);
  });

  test('optionalId keeps NULL apart from a bad value', () => {
    expect(optionalId(null)).toBeNull();
    expect(optionalId('x')).toBeUndefined();
  });

  test.each([
    ['0', 0],
    ['12', 12],
    ['000012', 12],
    ['999999999999999', 999_999_999_999_999],
    ['9007199254740991', 9_007_199_254_740_991],
    ['9007199254740993', 9_007_199_254_740_993n],
    ['18446744073709551615', 18_446_744_073_709_551_615n],
    [' 12 ', 12],
    ['12.000', 12],
    [null, 0],
    [5, 5],
    [5n, 5],
    ['', undefined],
    ['-1', undefined],
    ['1.5', undefined],
    ['1e3', undefined],
    ['NaN', undefined],
    ['１２', undefined],
    [1.5, undefined],
  ])('wholeAmount(%p) is %p', (value, expected) => {
    expect(wholeAmount(value)).toBe(expected);
  });
});
