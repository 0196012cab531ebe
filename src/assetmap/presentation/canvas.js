if (!window.AssetmapCanvas) {
    // Google polyline decoding at precision 0 (zig-zag varint deltas) of s into out from
    // index k, as x0, y0, x1, y1...; returns the index after the last number written (asset
    // points: one pair each, where path data would need a command per point).
    window.AssetmapDecodeInto = function (s, out, k) {
        var j = 0,
            x = 0,
            y = 0;
        while (j < s.length) {
            var b,
                sh = 0,
                v = 0;
            do {
                b = s.charCodeAt(j++) - 63;
                v |= (b & 31) << sh;
                sh += 5;
            } while (b >= 32);
            x += v & 1 ? ~(v >> 1) : v >> 1;
            sh = 0;
            v = 0;
            do {
                b = s.charCodeAt(j++) - 63;
                v |= (b & 31) << sh;
                sh += 5;
            } while (b >= 32);
            y += v & 1 ? ~(v >> 1) : v >> 1;
            out[k++] = x;
            out[k++] = y;
        }
        return k;
    };
    // One map-wide hover handler: the topmost layer with a feature under the pointer shows
    // its tooltip, every other layer hides its own.
    function hoverAll(e) {
        var layers = this._assetmapLayers,
            found = false;
        for (var i = layers.length - 1; i >= 0; i--) {
            var layer = layers[i],
                n = found ? -1 : layer._find(e.latlng, e.layerPoint);
            if (n >= 0) {
                layer._show(n, e.latlng);
                found = true;
            } else {
                layer._hide();
            }
        }
        this.getContainer().style.cursor = found ? "pointer" : "";
    }
    function hideAll() {
        this._assetmapLayers.forEach(function (layer) {
            layer._hide();
        });
        this.getContainer().style.cursor = "";
    }
    // One canvas per map, shared by every assetmap layer on it and painted in the order the
    // layers were added (a canvas per layer costs a bitmap to clear and composite). It covers
    // only the part of the view its layers' features reach: every pixel costs time to
    // allocate, clear and hand to the compositor, and an area map is rarely the view's shape.
    var Renderer = L.Canvas.extend({
        initialize: function () {
            // No margin beyond the view: a pan repaints at its end anyway.
            L.Canvas.prototype.initialize.call(this, { padding: 0 });
            this._members = [];
        },
        onAdd: function (map) {
            L.Canvas.prototype.onAdd.call(this, map);
            // Pointer events go to the map, never to this canvas (hover is found in hoverAll).
            this._container.style.pointerEvents = "none";
            // A map whose frame is sized by CSS (map.css) can change size with no window
            // resize for Leaflet to see: tell it, and fit the canvas again.
            map.on("resize", this._update, this);
            if (window.ResizeObserver) {
                this._observer = new window.ResizeObserver(function () {
                    map.invalidateSize();
                });
                this._observer.observe(map.getContainer());
            }
        },
        onRemove: function (map) {
            map.off("resize", this._update, this);
            if (this._observer) this._observer.disconnect();
            L.Canvas.prototype.onRemove.call(this, map);
        },
        // Leaflet's L.Canvas._update, with the canvas fitted to the layers' features.
        _update: function () {
            if (this._map._animatingZoom && this._bounds) return;
            L.Renderer.prototype._update.call(this); // the view's bounds, centre and zoom
            var map = this._map,
                b = this._fit(this._bounds),
                size = b.getSize();
            var canvas = this._container,
                m = L.Browser.retina ? 2 : 1;
            this._bounds = b;
            // Where the canvas starts, from the view's centre: the zoom animation scales it.
            this._offset = b.min.subtract(map.latLngToLayerPoint(this._center));
            L.DomUtil.setPosition(canvas, b.min);
            canvas.width = m * size.x; // resizing also clears it
            canvas.height = m * size.y;
            canvas.style.width = size.x + "px";
            canvas.style.height = size.y + "px";
            if (L.Browser.retina) this._ctx.scale(2, 2);
            this._ctx.translate(-b.min.x, -b.min.y);
            this.fire("update");
        },
        // Leaflet's L.Renderer._updateTransform for a canvas that need not be centred.
        _updateTransform: function (center, zoom) {
            var map = this._map,
                scale = map.getZoomScale(zoom, this._zoom);
            var topLeft = this._offset
                .multiplyBy(scale)
                .add(map.project(this._center, zoom))
                .subtract(map._getNewPixelOrigin(center, zoom));
            if (L.Browser.any3d) L.DomUtil.setTransform(this._container, topLeft, scale);
            else L.DomUtil.setPosition(this._container, topLeft);
        },
        // The view's pixel bounds cut to the members' boxes (Web Mercator metres, widened by
        // each member's reach in pixels: half a stroke, a point's radius).
        _fit: function (view) {
            var tr = this._transform();
            var x0 = Infinity,
                y0 = Infinity,
                x1 = -Infinity,
                y1 = -Infinity;
            for (var i = 0; i < this._members.length; i++) {
                var layer = this._members[i],
                    box = layer._d.box,
                    r = layer._reach();
                if (!box) continue;
                var xa = tr[0] * box[0] + tr[1],
                    xb = tr[0] * box[2] + tr[1];
                var ya = tr[2] * box[1] + tr[3],
                    yb = tr[2] * box[3] + tr[3];
                x0 = Math.min(x0, xa - r, xb - r);
                x1 = Math.max(x1, xa + r, xb + r);
                y0 = Math.min(y0, ya - r, yb - r);
                y1 = Math.max(y1, ya + r, yb + r);
            }
            var lo = L.point(
                Math.max(view.min.x, Math.floor(x0)),
                Math.max(view.min.y, Math.floor(y0)),
            );
            var hi = L.point(
                Math.min(view.max.x, Math.ceil(x1)),
                Math.min(view.max.y, Math.ceil(y1)),
            );
            // Nothing in view: an empty canvas at the view's corner.
            if (!(hi.x > lo.x && hi.y > lo.y)) return L.bounds(view.min, view.min);
            return L.bounds(lo, hi);
        },
        // Web Mercator metres -> layer pixels: [ax, bx, ay, by], x' = ax x + bx, y' = ay y + by.
        _transform: function () {
            var map = this._map,
                crs = map.options.crs,
                t = crs.transformation;
            var s = crs.scale(map.getZoom()),
                o = map.getPixelOrigin();
            return [s * t._a, s * t._b - o.x, s * t._c, s * t._d - o.y];
        },
        _updatePaths: function () {
            if (this._postponeUpdatePaths) return;
            var tr = this._transform(),
                lo = this._bounds.min,
                hi = this._bounds.max;
            for (var i = 0; i < this._members.length; i++) {
                this._members[i]._draw2(this._ctx, tr[0], tr[1], tr[2], tr[3], lo, hi);
            }
        },
        // Layers join and leave one by one as a page's script adds them; the canvas is sized
        // and painted once, when that script is done (a microtask: before the next frame).
        _join: function (layer) {
            this._members.push(layer);
            this._schedule();
        },
        _leave: function (layer) {
            this._members.splice(this._members.indexOf(layer), 1);
            this._schedule();
        },
        _schedule: function () {
            if (this._pending) return;
            this._pending = true;
            var self = this;
            Promise.resolve().then(function () {
                self._pending = false;
                if (self._map) self._update();
            });
        },
    });
    window.AssetmapCanvas = L.Layer.extend({
        initialize: function (d, style) {
            this._d = d;
            this._style = style;
            this._hovered = -1;
            this.assetmapKeys = d.keys;
            this.assetmapDrawn = [];
            this._load(d);
        },
        onAdd: function (map) {
            if (!map._assetmapRenderer) map._assetmapRenderer = new Renderer();
            if (!map.hasLayer(map._assetmapRenderer)) map.addLayer(map._assetmapRenderer);
            map._assetmapRenderer._join(this);
            if (this._d.fields.length === 0) return;
            this._tip = L.tooltip(this._tipOptions);
            if (!map._assetmapLayers) {
                map._assetmapLayers = [];
                map.on("mousemove", hoverAll, map);
                map.on("mouseout", hideAll, map);
            }
            map._assetmapLayers.push(this);
        },
        onRemove: function (map) {
            if (this._tip) {
                this._hide();
                map._assetmapLayers.splice(map._assetmapLayers.indexOf(this), 1);
            }
            map._assetmapRenderer._leave(this);
        },
        // Feature n's tooltip, built from DOM text nodes and never parsed as HTML, so markup
        // in a name from any source (an upload, say) is shown, not run. The texts stay one
        // string until the first hover: a line per feature, tab-separated.
        _tipFor: function (n) {
            var d = this._d,
                box = document.createElement("div");
            d.rows = d.rows || d.values.split("\n");
            var values = d.rows[n].split("\t");
            var rows = (d.fixed || []).concat(
                d.fields.map(function (f, j) {
                    var keyed = d.keyed && d.keyed.indexOf(f) >= 0;
                    return [f, keyed ? values[j] + " (" + d.keys[n] + ")" : values[j]];
                }),
            );
            for (var j = 0; j < rows.length; j++) {
                var row = document.createElement("div"),
                    b = document.createElement("b");
                b.textContent = rows[j][0] + ": ";
                row.appendChild(b);
                row.appendChild(document.createTextNode(rows[j][1]));
                box.appendChild(row);
            }
            return box;
        },
        _show: function (n, latlng) {
            if (n !== this._hovered) {
                this._hovered = n;
                this._tip.setContent(this._tipFor(n));
            }
            this._tip.setLatLng(this._tipAt(n, latlng));
            if (!this._map.hasLayer(this._tip)) this._tip.addTo(this._map);
        },
        _hide: function () {
            if (this._hovered < 0) return;
            this._hovered = -1;
            if (this._map) this._map.removeLayer(this._tip);
        },
        // For scripts and tests: open feature n's tooltip as a hover would.
        assetmapShow: function (n) {
            this._show(n, null);
            return this._tip.getElement();
        },
        // For scripts and tests: the canvas this layer is painted on.
        assetmapCanvas: function () {
            return this._map._assetmapRenderer._container;
        },
    });

    // Polygons: the shapes of a class are one Path2D, filled with the even-odd rule. The
    // browser's own SVG path parser builds it from the path data sent (native code: decoding
    // numbers and drawing vertices in a script loop was the largest part of an ICB map's
    // script time), once, and a transform maps its metres to pixels at every repaint.
    window.AssetmapShapes = window.AssetmapCanvas.extend({
        _tipOptions: { sticky: true, direction: "auto" },
        _reach: function () {
            return this._style.weight / 2 + 1;
        },
        _load: function (d) {
            var groups = {};
            for (var i = 0; i < d.paths.length; i++) {
                (groups[d.cls[i]] = groups[d.cls[i]] || []).push(i);
            }
            this._groups = groups;
            this._paths = {};
        },
        _path: function (c) {
            if (!this._paths[c]) {
                var d = this._d,
                    members = this._groups[c],
                    parts = new Array(members.length);
                for (var q = 0; q < members.length; q++) parts[q] = d.paths[members[q]];
                this._paths[c] = new Path2D(parts.join(""));
            }
            return this._paths[c];
        },
        _draw2: function (ctx, ax, bx, ay, by) {
            var st = this._style,
                d = this._d,
                o = d.origin;
            ctx.save();
            // Metres from the layer's origin -> layer pixels. Paths are kept in 32-bit
            // floats: offsets from a nearby origin stay exact where metres from the equator
            // would not.
            ctx.transform(ax, 0, 0, ay, ax * o[0] + bx, ay * o[1] + by);
            ctx.lineJoin = "round";
            ctx.lineCap = "round";
            ctx.lineWidth = st.weight / Math.abs(ax); // the same pixels at every zoom
            ctx.strokeStyle = st.stroke;
            for (var c in this._groups) {
                var path = this._path(c);
                if (st.fillOpacity > 0) {
                    ctx.globalAlpha = st.fillOpacity;
                    ctx.fillStyle = c >= 0 ? d.colours[c] : "#bdbdbd";
                    ctx.fill(path, "evenodd");
                }
                if (st.weight > 0) {
                    ctx.globalAlpha = 1;
                    ctx.stroke(path);
                }
            }
            ctx.restore();
            // Every shape is in its class's path; the canvas clips what is out of view.
            this.assetmapDrawn = d.keys;
        },
        // The vertices as numbers, for hover, read from the path data on the first hover
        // rather than at load: Web Mercator metres of every ring of every shape in one
        // buffer, ring r xy[ring[r]] to xy[ring[r + 1]], shape i rings first[i] to
        // first[i + 1], and each shape's bounding box.
        _decode: function () {
            if (this._first) return;
            var d = this._d,
                n = d.paths.length,
                xy = [],
                ring = [];
            var first = new Int32Array(n + 1),
                bbox = new Float64Array(4 * n);
            for (var i = 0; i < n; i++) {
                first[i] = ring.length;
                var x0 = Infinity,
                    y0 = Infinity,
                    x1 = -Infinity,
                    y1 = -Infinity;
                var rings = d.paths[i].split("M");
                for (var r = 1; r < rings.length; r++) {
                    // "x y" from the origin, then "dx dy" steps: a running sum of them all.
                    var v = rings[r].match(/-?\d+/g),
                        x = d.origin[0],
                        y = d.origin[1];
                    ring.push(xy.length);
                    for (var j = 0; j < v.length; j += 2) {
                        x += +v[j];
                        y += +v[j + 1];
                        xy.push(x, y);
                        if (x < x0) x0 = x;
                        if (x > x1) x1 = x;
                        if (y < y0) y0 = y;
                        if (y > y1) y1 = y;
                    }
                }
                bbox[4 * i] = x0;
                bbox[4 * i + 1] = y0;
                bbox[4 * i + 2] = x1;
                bbox[4 * i + 3] = y1;
            }
            ring.push(xy.length);
            first[n] = ring.length - 1;
            this._xy = new Float64Array(xy);
            this._ring = Int32Array.from(ring);
            this._bbox = bbox;
            this._first = first;
        },
        // The shape under a point (even-odd ray casting in Web Mercator metres), or -1.
        _find: function (latlng) {
            this._decode();
            var p = this._map.options.crs.projection.project(latlng),
                x = p.x,
                y = p.y;
            var bb = this._bbox,
                a = this._xy,
                ring = this._ring,
                first = this._first;
            for (var i = first.length - 2; i >= 0; i--) {
                if (x < bb[4 * i] || x > bb[4 * i + 2] || y < bb[4 * i + 1] || y > bb[4 * i + 3])
                    continue;
                var inside = false;
                for (var r = first[i]; r < first[i + 1]; r++) {
                    for (var j = ring[r], k = ring[r + 1] - 2; j < ring[r + 1]; k = j, j += 2) {
                        var yj = a[j + 1],
                            yk = a[k + 1];
                        if (yj > y !== yk > y && x < ((a[k] - a[j]) * (y - yj)) / (yk - yj) + a[j])
                            inside = !inside;
                    }
                }
                if (inside) return i;
            }
            return -1;
        },
        _tipAt: function (n, latlng) {
            if (latlng) return latlng;
            this._decode();
            var bb = this._bbox,
                crs = this._map.options.crs;
            return crs.projection.unproject(
                L.point((bb[4 * n] + bb[4 * n + 2]) / 2, (bb[4 * n + 1] + bb[4 * n + 3]) / 2),
            );
        },
    });

    // Points: circles of one colour, one canvas path; hover finds the nearest within reach.
    window.AssetmapPoints = window.AssetmapCanvas.extend({
        _tipOptions: { direction: "auto", offset: [8, 0] },
        _reach: function () {
            return this._style.radius + this._style.weight + 1;
        },
        _load: function (d) {
            var xy = new Float64Array(d.points.length);
            this._xy = xy.subarray(0, window.AssetmapDecodeInto(d.points, xy, 0));
            this._px = new Float64Array(this._xy.length);
        },
        _draw2: function (ctx, ax, bx, ay, by, lo, hi) {
            var st = this._style,
                xy = this._xy,
                px = this._px,
                r = st.radius,
                drawn = 0;
            ctx.beginPath();
            for (var j = 0; j < xy.length; j += 2) {
                var x = (px[j] = ax * xy[j] + bx),
                    y = (px[j + 1] = ay * xy[j + 1] + by);
                if (x < lo.x - r || x > hi.x + r || y < lo.y - r || y > hi.y + r) continue;
                ctx.moveTo(x + r, y);
                ctx.arc(x, y, r, 0, 2 * Math.PI);
                drawn += 1;
            }
            ctx.globalAlpha = st.fillOpacity;
            ctx.fillStyle = st.colour;
            ctx.fill();
            ctx.globalAlpha = 1;
            ctx.lineWidth = st.weight;
            ctx.strokeStyle = st.stroke;
            ctx.stroke();
            this.assetmapPoints = drawn;
            this.assetmapDrawn = [];
        },
        _find: function (latlng, layerPoint) {
            var px = this._px,
                reach = this._style.radius + 1,
                best = -1,
                bestD = reach * reach;
            for (var j = 0; j < px.length; j += 2) {
                var dx = px[j] - layerPoint.x,
                    dy = px[j + 1] - layerPoint.y;
                if (dx * dx + dy * dy <= bestD) {
                    bestD = dx * dx + dy * dy;
                    best = j / 2;
                }
            }
            return best;
        },
        _tipAt: function (n) {
            return this._map.options.crs.projection.unproject(
                L.point(this._xy[2 * n], this._xy[2 * n + 1]),
            );
        },
        // For tests: where point n is in the map's container, in pixels.
        assetmapPixel: function (n) {
            return this._map.latLngToContainerPoint(this._tipAt(n));
        },
    });

    // Place names (LabelLayer): one label per area at its pole of inaccessibility, placed
    // again at every redraw in the order sent (larger areas first). A name is shown only
    // where it fits inside its shape (its chords through the point, sent in Web Mercator
    // metres, against the text's pixel box, on one line or else on two) and overlaps no name
    // already placed; ward names only from their tier's minimum zoom. Text is canvas text:
    // a white halo (strokeText) under the name (fillText), never HTML. A name may reach past
    // its shape by a share of its size (overhang: a quarter of an area's name, half that of a
    // ward's), its centre always inside.
    var LABEL_STYLE = [
        {
            font: "bold 12px Arial, 'Liberation Sans', sans-serif",
            colour: "#1a1a1a",
            line: 14,
            overhang: 0.25,
        },
        {
            font: "11px Arial, 'Liberation Sans', sans-serif",
            colour: "#333333",
            line: 13,
            overhang: 0.125,
        },
    ];
    var LABEL_HALO = 3, // halo width in pixels
        LABEL_GAP = 2; // pixels kept clear between two names
    // A name on one line, and (if it has a space) on two, split at the space nearest its middle.
    function labelLayouts(ctx, text) {
        var out = [{ lines: [text], w: ctx.measureText(text).width }],
            best = -1;
        for (var k = text.indexOf(" "); k >= 0; k = text.indexOf(" ", k + 1)) {
            if (best < 0 || Math.abs(k - text.length / 2) < Math.abs(best - text.length / 2))
                best = k;
        }
        if (best > 0) {
            var a = text.slice(0, best),
                b = text.slice(best + 1);
            out.push({
                lines: [a, b],
                w: Math.max(ctx.measureText(a).width, ctx.measureText(b).width),
            });
        }
        return out;
    }
    window.AssetmapLabels = window.AssetmapCanvas.extend({
        // The canvas reaches past the points by half the widest name, taken as the longest
        // of each tier with a tenth to spare.
        _reach: function () {
            if (this._widest === undefined) {
                this._widest = 0;
                for (var t = 0; t < this._longest.length; t++) {
                    if (this._longest[t] === undefined) continue;
                    var w = this._layout(this._longest[t])[0].w;
                    this._widest = Math.max(this._widest, 1.1 * w);
                }
            }
            return this._widest / 2 + LABEL_HALO;
        },
        _load: function (d) {
            var texts = d.text ? d.text.split("\n") : [],
                n = texts.length,
                at = new Float64Array(2 * n),
                reach = new Float64Array(4 * n),
                tier = new Int8Array(n),
                xy = new Float64Array(2 * n),
                proj = L.Projection.SphericalMercator,
                longest = [];
            var x0 = Infinity,
                y0 = Infinity,
                x1 = -Infinity,
                y1 = -Infinity;
            // Points: latitude, longitude in 1e-5 degrees; reaches: whole units of d.unit
            // metres (both polyline-encoded); names in tier order, d.tiers[t] of tier t.
            window.AssetmapDecodeInto(d.at, at, 0);
            window.AssetmapDecodeInto(d.reach, reach, 0);
            for (var t = 0, k = 0; t < d.tiers.length; t++) {
                for (var e = k + d.tiers[t]; k < e; k++) tier[k] = t;
            }
            for (var j = 0; j < reach.length; j++) reach[j] *= d.unit;
            this._reachM = reach;
            this._tier = tier;
            this._layouts = new Array(n);
            for (var i = 0; i < n; i++) {
                var p = proj.project(L.latLng(at[2 * i] / 1e5, at[2 * i + 1] / 1e5));
                xy[2 * i] = p.x;
                xy[2 * i + 1] = p.y;
                x0 = Math.min(x0, p.x);
                x1 = Math.max(x1, p.x);
                y0 = Math.min(y0, p.y);
                y1 = Math.max(y1, p.y);
                var top = longest[tier[i]];
                if (top === undefined || texts[i].length > texts[top].length) longest[tier[i]] = i;
            }
            d.box = n ? [Math.floor(x0), Math.floor(y0), Math.ceil(x1), Math.ceil(y1)] : null;
            this._texts = texts;
            this._xy = xy;
            this._longest = longest;
            this.assetmapLabels = [];
        },
        // Names are measured (on the map's canvas) when first placed: most ward names wait
        // for a zoom that may never come.
        _layout: function (i) {
            if (!this._layouts[i]) {
                var ctx = this._map._assetmapRenderer._ctx;
                ctx.font = LABEL_STYLE[this._tier[i]].font;
                this._layouts[i] = labelLayouts(ctx, this._texts[i]);
            }
            return this._layouts[i];
        },
        // Where label i goes at this zoom, or null: a box of its layout that fits in its
        // shape, slid along its horizontal chord to stay inside, and overlaps no box placed
        // before.
        _fitLabel: function (i, x, y, ax, ay, placed) {
            var r = this._reachM,
                style = LABEL_STYLE[this._tier[i]];
            // Room from the point to the shape's edge: left, right, up and down, in pixels.
            var left = r[4 * i] * ax,
                right = r[4 * i + 1] * ax,
                up = r[4 * i + 3] * -ay,
                down = r[4 * i + 2] * -ay;
            var layouts = this._layout(i);
            for (var k = 0; k < layouts.length; k++) {
                var w = layouts[k].w + LABEL_HALO,
                    h = layouts[k].lines.length * style.line,
                    ow = (style.overhang * w) / 2,
                    oh = (style.overhang * h) / 2;
                if (w > left + right + 2 * ow || h / 2 > Math.min(up, down) + oh) continue;
                // Centred on the point, or slid along the horizontal chord (so its centre
                // stays inside the shape) as far as it must to fit.
                var cx = Math.min(Math.max(x, x - left - ow + w / 2), x + right + ow - w / 2),
                    cy = y;
                var box = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2],
                    clear = true;
                for (var j = 0; j < placed.length && clear; j++) {
                    var o = placed[j].box;
                    clear =
                        box[0] >= o[2] + LABEL_GAP ||
                        o[0] >= box[2] + LABEL_GAP ||
                        box[1] >= o[3] + LABEL_GAP ||
                        o[1] >= box[3] + LABEL_GAP;
                }
                if (clear) return { i: i, x: cx, y: cy, box: box, lines: layouts[k].lines };
            }
            return null;
        },
        _draw2: function (ctx, ax, bx, ay, by, lo, hi) {
            var d = this._d,
                xy = this._xy,
                map = this._map,
                zoom = map.getZoom(),
                minZoom = d.minZoom || {},
                reach = this._reach(),
                placed = [];
            for (var i = 0; i < this._texts.length; i++) {
                var tz = minZoom[this._tier[i]];
                if (tz !== undefined && zoom < tz) continue;
                var x = ax * xy[2 * i] + bx,
                    y = ay * xy[2 * i + 1] + by;
                // Out of the painted part of the view: neither drawn nor in the way.
                if (x < lo.x - reach || x > hi.x + reach || y < lo.y - 20 || y > hi.y + 20)
                    continue;
                var label = this._fitLabel(i, x, y, ax, ay, placed);
                if (label) placed.push(label);
            }
            ctx.save();
            ctx.textAlign = "center";
            ctx.textBaseline = "middle";
            ctx.lineJoin = "round";
            ctx.lineWidth = LABEL_HALO;
            ctx.strokeStyle = "rgba(255, 255, 255, 0.9)";
            var out = new Array(placed.length);
            for (var q = 0; q < placed.length; q++) {
                var lab = placed[q],
                    style = LABEL_STYLE[this._tier[lab.i]],
                    top = lab.y - ((lab.lines.length - 1) * style.line) / 2;
                ctx.font = style.font;
                ctx.fillStyle = style.colour;
                for (var m = 0; m < lab.lines.length; m++) {
                    var tx = Math.round(lab.x),
                        ty = Math.round(top + m * style.line);
                    ctx.strokeText(lab.lines[m], tx, ty);
                    ctx.fillText(lab.lines[m], tx, ty);
                }
                var p0 = map.layerPointToContainerPoint(L.point(lab.box[0], lab.box[1])),
                    p1 = map.layerPointToContainerPoint(L.point(lab.box[2], lab.box[3])),
                    c = map.layerPointToContainerPoint(L.point(lab.x, lab.y));
                out[q] = {
                    text: this._texts[lab.i],
                    tier: this._tier[lab.i],
                    x: c.x,
                    y: c.y,
                    box: [p0.x, p0.y, p1.x, p1.y],
                };
            }
            ctx.restore();
            this.assetmapLabels = out;
            this.assetmapDrawn = [];
        },
        _find: function () {
            return -1;
        },
    });
}
