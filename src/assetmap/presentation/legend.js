// The map legend's collapse button (assetmap.presentation.layers.Legend), defined once per page.
//
// Each legend keeps its own state (data-state "open" or "closed", set when its button is
// pressed); before that, legend.css decides (collapsed on a small frame). The button's
// aria-expanded says what is shown, and is brought up to date when the frame is resized.
// Legends are found by class, not id: streamlit-folium renames elements after their HTML is
// written.
(function () {
    "use strict";
    if (window.assetmapLegends) {
        return;
    }

    function body(legend) {
        return legend.querySelector(".assetmap-legend-body");
    }

    function shown(legend) {
        return window.getComputedStyle(body(legend)).display !== "none";
    }

    function sync(legend) {
        const open = shown(legend);
        const button = legend.querySelector(".assetmap-legend-toggle");
        button.setAttribute("aria-expanded", open ? "true" : "false");
        button.setAttribute("aria-label", open ? "Hide the legend" : "Show the legend");
        button.title = open ? "Hide the legend" : "Show the legend";
    }

    function wire(legend) {
        const button = legend.querySelector(".assetmap-legend-toggle");
        if (!button || !body(legend) || legend.assetmapLegendWired) {
            return;
        }
        legend.assetmapLegendWired = true;
        button.addEventListener("click", function (event) {
            event.preventDefault();
            event.stopPropagation();
            legend.setAttribute("data-state", shown(legend) ? "closed" : "open");
            sync(legend);
        });
        sync(legend);
    }

    function wireAll() {
        document.querySelectorAll(".assetmap-legend").forEach(wire);
    }

    window.assetmapLegends = wireAll;
    window.addEventListener("resize", function () {
        document.querySelectorAll(".assetmap-legend").forEach(function (legend) {
            if (legend.assetmapLegendWired) {
                sync(legend);
            }
        });
    });
})();
