@rem npm start on Windows. package.json's start script begins with `exec`, so that on Linux and macOS
@rem the shell npm starts hands its process to node and npm's signals reach Tandem (scripts/start.js).
@rem cmd.exe has no exec; npm runs scripts in this folder, where cmd finds this file: it runs the rest
@rem of the line as it is.
@%*
