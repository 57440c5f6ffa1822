import './base.css';
import './record.css';
import './sets.css';
