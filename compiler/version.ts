/** The version of the compiler (thwonkc); goes into every bundle. A test keeps it equal to package.json's. */
export const COMPILER_VERSION = "0.2.0";
