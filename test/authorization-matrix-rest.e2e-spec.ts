import { isGraphql, OPERATIONS } from './authorization/matrix.js';
import { cellsOf, runCell, startMatrix, type MatrixContext } from './authorization/run-matrix.js';

/** The authorization matrix (test/authorization/matrix.ts), one test per cell: REST routes. */
describe('authorization matrix: REST', () => {
  let m: MatrixContext;
  beforeAll(async () => {
    m = await startMatrix();
  });
  afterAll(() => m.t.close());

  it.each(cellsOf(OPERATIONS.filter((op) => !isGraphql(op))))('%s', (_name, cell) => runCell(m, cell));
});
