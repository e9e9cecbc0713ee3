module.exports = (...args) => require('./global-setup.cjs').teardown(...args);
