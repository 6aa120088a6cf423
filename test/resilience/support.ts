export { seededRandom } from '../../src/core/seeded-random.js';
