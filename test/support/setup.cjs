module.exports = (...args) => require('./global-setup.cjs').setup(...args);
