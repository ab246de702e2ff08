module.exports = { ...require('../jest.preset.js'), testSequencer: '<rootDir>/jest-sequencer.js' };
