import { createAlloyFactory, type AlloyFactory } from './factory.js';

/**
 * The CommonJS entry: `module.exports` is the factory itself, so
 * `const Alloy = require('alloy-embedded-kit'); const alloy = Alloy();` works as with alloy-frontend,
 * and so do `Alloy.install(...)` and `const { AlloyError } = require(...)`.
 */
const Alloy: AlloyFactory & { default: AlloyFactory } = Object.assign(createAlloyFactory(), {
  default: undefined as unknown as AlloyFactory,
});
Alloy.default = Alloy;
export default Alloy;
