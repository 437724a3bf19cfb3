/** The version of thwonkc; a test keeps it equal to package.json's. */
export const THWONKC_VERSION = "0.2.0";
