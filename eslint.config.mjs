// ESLint for assetmap's own front-end code (the canvas map layers); vendor files are not ours.
import js from "@eslint/js";
import globals from "globals";

export default [
    { ignores: ["static/vendor/**", "node_modules/**", ".venv/**", "build/**", "data/**"] },
    js.configs.recommended,
    {
        files: ["src/**/*.js"],
        languageOptions: {
            ecmaVersion: 2020,
            // Inlined into a folium map page as a classic script, beside Leaflet's global L.
            sourceType: "script",
            globals: { ...globals.browser, L: "readonly" },
        },
    },
];
