import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Tests that run qemu-img create real images; LUKS key setup alone takes seconds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
