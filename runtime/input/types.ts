/** The run input shapes live in the contract between compiler and runtime. */
export * from "../../contract/input.js";
