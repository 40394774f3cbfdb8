import { render } from "preact";

import { App } from "./app/App";
import { tauriBackend } from "./backend/tauri";
import "./app/styles.css";

render(<App backend={tauriBackend()} />, document.getElementById("app")!);
