# Placeholder; the full Makefile (run, test, checks) follows.
VENDOR := static/vendor/designsystemet
DS := node_modules/@digdir

$(VENDOR)/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp $(DS)/designsystemet-css/dist/src/index.css $(VENDOR)/designsystemet.css
	cp $(DS)/designsystemet-theme/brand/digdir.css $(VENDOR)/theme.css
	cp $(DS)/designsystemet-web/dist/umd/index.js $(VENDOR)/designsystemet-web.js
	cp $(DS)/designsystemet-css/LICENSE $(VENDOR)/LICENSE-css.txt
	cp $(DS)/designsystemet-web/LICENSE $(VENDOR)/LICENSE-web.txt
	touch $@

vendor: $(VENDOR)/.stamp
.PHONY: vendor
