const Sequencer = require('@jest/test-sequencer').default;

/**
 * Files that wait on real servers or terraform, longest first: started first,
 * they overlap the many short files instead of trailing after them. Jest
 * orders by recorded durations when it has them; a fresh clone (CI) has none
 * and would order by file size, which puts these small files last.
 */
const SLOW = [
  /test\/integration\//,
  /test\/terraform\//,
  /-plan\.test\.ts$/,
  /test\/app\/main\.test\.ts$/,
  /test\/fuzz\/config-fuzz\.test\.ts$/,
];

const rank = (path) => {
  const index = SLOW.findIndex((pattern) => pattern.test(path));
  return index < 0 ? SLOW.length : index;
};

class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    // Array.prototype.sort is stable: within a rank, jest's own order stays.
    return [...sorted].sort((a, b) => rank(a.path) - rank(b.path));
  }
}

module.exports = SlowFirstSequencer;
